import { useEffect, useState, type FormEvent } from 'react';
import { signIn, type Session } from './session-client';

/** The sign-in form; a wrong password, a lockout or a rate limit is shown as the server words it. */
export function LoginPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [oidc, setOidc] = useState(false);

  useEffect(() => {
    fetch('/api/sign-in-methods')
      .then((r) => (r.ok ? (r.json() as Promise<{ oidc: boolean }>) : { oidc: false }))
      .then((methods) => setOidc(methods.oidc))
      .catch(() => setOidc(false));
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(username, password));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-form" onSubmit={submit} aria-label="Sign in">
        <h1>Lightbox</h1>
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || username === ''}>
          Sign in
        </button>
        {oidc && (
          <a className="oidc-link" href="/api/oidc/login">
            Sign in with your organisation
          </a>
        )}
      </form>
    </main>
  );
}
