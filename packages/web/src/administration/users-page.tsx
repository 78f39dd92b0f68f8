import { Fragment, useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiTokensPanel } from '../account/api-tokens-panel';
import { errorText } from '../ris/ris-api';
import { endEmergencyAccessOf, untilText } from '../security/emergency-access';
import { appFetch } from '../session/session-client';
import { accessOf, accessText, changedAccess, type UserAccess, type UserAccessText } from './user-access';
import { UserAccessFields } from './user-access-fields';

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

/** A user's roles, provider IDs and institutions, changed by the administrator. */
function UserAccessPanel({
  user,
  onSave,
}: {
  user: UserProfile;
  onSave: (changes: Partial<UserAccess>) => Promise<boolean>;
}) {
  const [text, setText] = useState<UserAccessText>(() => accessText(user));
  const [problem, setProblem] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const access = accessOf(text);
    const changes = typeof access === 'string' ? {} : changedAccess(user, access);
    setProblem(
      typeof access === 'string' ? access : Object.keys(changes).length === 0 ? 'Nothing has changed.' : '',
    );
    if (typeof access !== 'string' && Object.keys(changes).length > 0) void onSave(changes);
  };
  return (
    <form className="admin-form user-access" onSubmit={submit} aria-label={`Access of ${user.username}`}>
      <h3>Roles and access</h3>
      {user.signIn === 'openid-connect' && (
        <p className="hint">
          {user.username} signs in through the identity provider: their roles, and their provider IDs when the
          provider sends them, are set again from it at every sign-in.
        </p>
      )}
      <UserAccessFields value={text} onChange={setText} />
      {problem !== '' && <p role="alert">{problem}</p>}
      <button type="submit">Save access of {user.username}</button>
    </form>
  );
}

/**
 * What an administrator does for one user beyond the table: their roles and access, their API tokens, and
 * ending an emergency access they started (the table shows one in force).
 */
function UserSecurityPanel({
  user,
  onSaveAccess,
}: {
  user: UserProfile;
  onSaveAccess: (changes: Partial<UserAccess>) => Promise<boolean>;
}) {
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
      {/* Opened again on what the server holds after each change. */}
      <UserAccessPanel
        key={JSON.stringify([user.roles, user.providerIds, user.institutions])}
        user={user}
        onSave={onSaveAccess}
      />
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
  const blank = {
    username: '',
    displayName: '',
    password: '',
    access: { roles: ['radiologist'], providerIds: '', institutions: '' } as UserAccessText,
  };
  const [form, setForm] = useState(blank);
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback(
    async () => setUsers((await (await appFetch('/api/users')).json()) as UserProfile[]),
    [],
  );
  useEffect(() => {
    void load().catch((e: unknown) => setMessage(e instanceof Error ? e.message : String(e)));
  }, [load]);

  /** Sends a change of a user; true when it was made. */
  const save = async (username: string, changes: Record<string, unknown>, done: string) => {
    try {
      await appFetch(`/api/users/${encodeURIComponent(username)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(changes),
      });
      setMessage(done);
      await load();
      return true;
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
      return false;
    }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    // Saving is a PUT, which would change an existing user: creating one never does.
    if (users.some((u) => u.username === form.username)) {
      setMessage(`A user named ${form.username} already exists: change them from their row.`);
      return;
    }
    const access = accessOf(form.access);
    if (typeof access === 'string') {
      setMessage(access);
      return;
    }
    void save(
      form.username,
      { password: form.password, displayName: form.displayName || null, ...access },
      `Created ${form.username}`,
    ).then((created) => {
      if (created) setForm(blank);
    });
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
            <th>Restricted to</th>
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
                <td>{restrictionsText(u)}</td>
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
                  <td colSpan={7}>
                    <UserSecurityPanel
                      user={u}
                      onSaveAccess={(access) =>
                        save(u.username, { ...access }, `Saved the access of ${u.username}`)
                      }
                    />
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
        <UserAccessFields value={form.access} onChange={(access) => setForm({ ...form, access })} />
        <button type="submit" disabled={form.username === '' || form.password === ''}>
          Create user
        </button>
      </form>
    </main>
  );
}

/** The identifiers that limit what a user sees (docs/security.md says how each role uses them). */
function restrictionsText(user: UserProfile): string {
  const parts = [
    ...(user.providerIds.length > 0 ? [`provider IDs ${user.providerIds.join(', ')}`] : []),
    ...(user.institutions.length > 0 ? [`institutions ${user.institutions.join(', ')}`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : '—';
}
