import { useState, type FormEvent } from 'react';
import { appFetch, type SessionUser } from '../session/session-client';
import { ApiTokensPanel } from './api-tokens-panel';

/** The user's own account: who they are, their roles, a new password, and their API tokens. */
export function AccountPage({ user, onSignedOut }: { user: SessionUser; onSignedOut: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [message, setMessage] = useState('');

  const change = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await appFetch('/api/me/password', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: current, newPassword: next }),
      });
      // Changing the password ends the session: sign in again with the new one.
      onSignedOut();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <main className="admin-page">
      <h1>Account</h1>
      <p>
        {user.displayName ?? user.username} ({user.username}) · roles: {user.roles.join(', ') || 'none'}
      </p>
      <form className="admin-form" onSubmit={(e) => void change(e)} aria-label="Change password">
        <h2>Change password</h2>
        <label>
          Current password
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <label>
          New password (12 characters or more)
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </label>
        <button type="submit" disabled={current === '' || next === ''}>
          Change password
        </button>
        {message !== '' && <p role="alert">{message}</p>}
      </form>
      <ApiTokensPanel permissions={user.permissions} />
    </main>
  );
}
