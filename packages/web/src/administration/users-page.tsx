import { Fragment, useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiTokensPanel } from '../account/api-tokens-panel';
import { errorText } from '../ris/ris-api';
import { endEmergencyAccessOf, untilText } from '../security/emergency-access';
import { appFetch } from '../session/session-client';

/** A user as the administration API shows it. */
interface UserProfile {
  username: string;
  displayName: string | null;
  roles: string[];
  /** What the roles allow. */
  permissions: string[];
  disabled: boolean;
  locked: boolean;
  providerIds: string[];
  institutions: string[];
  signIn: 'password' | 'openid-connect';
  /** Emergency access in force (break the glass), from the user list. */
  emergencyAccess?: { reason: string; expiresAt: string } | null;
}

/** The roles of Lightbox (security/permissions.ts on the server). */
const ROLES = [
  'admin',
  'radiologist',
  'technologist',
  'referring-physician',
  'scheduler',
  'data-scientist',
  'security-officer',
  'dicom-node',
];

/**
 * What an administrator does for one user beyond the table: their API tokens, and ending an emergency
 * access they started (the table shows one in force).
 */
function UserSecurityPanel({ user }: { user: UserProfile }) {
  const [message, setMessage] = useState('');
  const endEmergency = async () => {
    try {
      await endEmergencyAccessOf(user.username);
      setMessage(`Ended the emergency access of ${user.username}.`);
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  return (
    <div className="user-security">
      <ApiTokensPanel username={user.username} permissions={user.permissions} heading="h3" />
      {user.permissions.includes('study:emergency') && (
        <section className="user-emergency" aria-label={`Emergency access of ${user.username}`}>
          <h3>Emergency access</h3>
          <p className="hint">
            When a notice says that {user.username} broke the glass, you can end it before it expires.
          </p>
          <button type="button" className="danger subtle" onClick={() => void endEmergency()}>
            End emergency access of {user.username}
          </button>
          {message !== '' && <p role="status">{message}</p>}
        </section>
      )}
    </div>
  );
}

/**
 * User administration (admin): the users, their roles and state; create a user; disable or enable one;
 * a user's API tokens and emergency access.
 */
export function UsersPage() {
  const [users, setUsers] = useState<UserProfile[]>([]);
  const [message, setMessage] = useState('');
  const [form, setForm] = useState({ username: '', displayName: '', password: '', roles: ['radiologist'] });
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback(
    async () => setUsers((await (await appFetch('/api/users')).json()) as UserProfile[]),
    [],
  );
  useEffect(() => {
    void load().catch((e: unknown) => setMessage(e instanceof Error ? e.message : String(e)));
  }, [load]);

  const save = async (username: string, changes: Record<string, unknown>, done: string) => {
    try {
      await appFetch(`/api/users/${encodeURIComponent(username)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(changes),
      });
      setMessage(done);
      await load();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    void save(
      form.username,
      { password: form.password, roles: form.roles, displayName: form.displayName || null },
      `Created ${form.username}`,
    ).then(() => setForm({ username: '', displayName: '', password: '', roles: ['radiologist'] }));
  };

  return (
    <main className="admin-page">
      <h1>Users</h1>
      {message !== '' && <p role="status">{message}</p>}
      <table className="admin-table">
        <thead>
          <tr>
            <th>User</th>
            <th>Name</th>
            <th>Roles</th>
            <th>Sign-in</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <Fragment key={u.username}>
              <tr data-username={u.username}>
                <td>{u.username}</td>
                <td>{u.displayName ?? ''}</td>
                <td>{u.roles.join(', ')}</td>
                <td>{u.signIn}</td>
                <td>
                  {u.disabled ? 'disabled' : u.locked ? 'locked' : 'active'}
                  {u.emergencyAccess && (
                    <span className="emergency-flag" title={`Reason: ${u.emergencyAccess.reason}`}>
                      {' '}
                      · emergency access until {untilText(Date.parse(u.emergencyAccess.expiresAt))}
                    </span>
                  )}
                </td>
                <td>
                  <button
                    onClick={() =>
                      void save(
                        u.username,
                        { disabled: !u.disabled },
                        `${u.disabled ? 'Enabled' : 'Disabled'} ${u.username}`,
                      )
                    }
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>{' '}
                  <button
                    aria-expanded={open === u.username}
                    aria-controls={open === u.username ? `user-security-${u.username}` : undefined}
                    aria-label={`Tokens and access of ${u.username}`}
                    onClick={() => setOpen(open === u.username ? null : u.username)}
                  >
                    Tokens and access
                  </button>
                </td>
              </tr>
              {open === u.username && (
                <tr className="user-security-row" id={`user-security-${u.username}`}>
                  <td colSpan={6}>
                    <UserSecurityPanel user={u} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      <form className="admin-form" onSubmit={create} aria-label="New user">
        <h2>New user</h2>
        <label>
          User name{' '}
          <input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />
        </label>
        <label>
          Display name{' '}
          <input
            value={form.displayName}
            onChange={(e) => setForm({ ...form, displayName: e.target.value })}
          />
        </label>
        <label>
          Password (12 characters or more)
          <input
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </label>
        <fieldset>
          <legend>Roles</legend>
          {ROLES.map((role) => (
            <label key={role} className="checkbox">
              <input
                type="checkbox"
                checked={form.roles.includes(role)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    roles: e.target.checked ? [...form.roles, role] : form.roles.filter((r) => r !== role),
                  })
                }
              />
              {role}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={form.username === '' || form.password === ''}>
          Create user
        </button>
      </form>
    </main>
  );
}
