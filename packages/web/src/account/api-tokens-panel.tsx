import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { errorText } from '../ris/ris-api';
import { localDateTime } from '../security/notices';
import {
  DEFAULT_TOKEN_DAYS,
  issueToken,
  listTokens,
  MAX_TOKEN_DAYS,
  PERMISSION_DESCRIPTIONS,
  revokeToken,
  tokenRequest,
  tokensBase,
  tokenState,
  type ApiToken,
  type IssuedToken,
} from './api-tokens';

/** Copies text; false when neither the Clipboard API nor the old copy command would. */
async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field?.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** The secret of a token just issued, shown this once, with a copy button. */
function NewTokenSecret({ issued, onDone }: { issued: IssuedToken; onDone: () => void }) {
  const titleId = useId();
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState('');
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, []);
  return (
    <section className="new-token" aria-labelledby={titleId}>
      <h3 id={titleId}>New token “{issued.name}”</h3>
      <p className="new-token-warning" role="alert">
        Copy the token now: it will not be shown again. Only a hash of it is kept; if it is lost, revoke it
        and create another.
      </p>
      <div className="new-token-value">
        <input
          ref={field}
          readOnly
          aria-label="New API token"
          value={issued.token}
          size={Math.min(issued.token.length + 2, 60)}
          onFocus={(e) => e.target.select()}
        />
        <button
          type="button"
          className="primary"
          onClick={() =>
            void copyText(issued.token, field.current).then((ok) =>
              setCopied(ok ? 'Copied to the clipboard.' : 'Select the token and copy it (Ctrl+C).'),
            )
          }
        >
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      <p role="status" className="notice-ok">
        {copied}
      </p>
      <p className="hint">
        Send it as <code>Authorization: Bearer …</code>.
      </p>
    </section>
  );
}

/**
 * A user's API tokens: list (revoked and expired ones too), create one limited to some of the user's
 * permissions and expiring, revoke. `username` is another user's (administrators); none for one's own.
 */
export function ApiTokensPanel({
  username,
  permissions,
  heading = 'h2',
}: {
  username?: string;
  /** The permissions the user has: a token gets some or all of them. */
  permissions: readonly string[];
  heading?: 'h2' | 'h3';
}) {
  const base = tokensBase(username);
  const titleId = useId();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState('');
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({
    name: '',
    permissions: [...permissions],
    expiresInDays: String(DEFAULT_TOKEN_DAYS),
  });

  const load = useCallback(async (signal?: AbortSignal) => setTokens(await listTokens(base, signal)), [base]);
  useEffect(() => {
    const abort = new AbortController();
    load(abort.signal).catch((e: unknown) => {
      if (!abort.signal.aborted) setMessage(errorText(e));
    });
    return () => abort.abort();
  }, [load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const checked = tokenRequest(form);
    if ('problem' in checked) {
      setProblem(checked.problem);
      return;
    }
    setProblem('');
    setMessage('');
    setBusy(true);
    try {
      setIssued(await issueToken(base, checked.request));
      setForm({ ...form, name: '' });
      await load();
    } catch (e) {
      setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (token: ApiToken) => {
    setMessage('');
    try {
      await revokeToken(base, token.id);
      setMessage(`Revoked ${token.name} (${token.prefix}…).`);
      await load();
    } catch (e) {
      setMessage(errorText(e));
    }
  };

  const Heading = heading;
  const now = Date.now();
  return (
    <section className="api-tokens" aria-labelledby={titleId}>
      <Heading id={titleId}>{username === undefined ? 'API tokens' : `API tokens of ${username}`}</Heading>
      <p className="hint">
        For scripts and DICOMweb clients: a token acts as {username ?? 'you'}, with the permissions chosen for
        it, until it expires or is revoked.
      </p>
      {message !== '' && <p role="status">{message}</p>}
      {tokens !== null && tokens.length === 0 && <p className="muted">No API tokens.</p>}
      {tokens !== null && tokens.length > 0 && (
        <table className="admin-table api-token-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Token</th>
              <th>Permissions</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th>State</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => {
              const state = tokenState(token, now);
              return (
                <tr key={token.id} data-token-id={token.id} className={`token-${state}`}>
                  <td>{token.name}</td>
                  <td>
                    <code>{token.prefix}…</code>
                  </td>
                  <td>{token.permissions.join(', ')}</td>
                  <td>{localDateTime(token.createdAt)}</td>
                  <td>{localDateTime(token.expiresAt)}</td>
                  <td>{token.lastUsedAt === null ? 'never' : localDateTime(token.lastUsedAt)}</td>
                  <td>{state === 'revoked' ? `revoked ${localDateTime(token.revokedAt!)}` : state}</td>
                  <td>
                    {state === 'active' && (
                      <button
                        type="button"
                        className="danger subtle"
                        aria-label={`Revoke ${token.name}`}
                        onClick={() => void revoke(token)}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {issued !== null && <NewTokenSecret issued={issued} onDone={() => setIssued(null)} />}
      <form
        className="admin-form token-form"
        aria-label={username === undefined ? 'Create an API token' : `Create an API token for ${username}`}
        onSubmit={(e) => void create(e)}
        noValidate
      >
        <label>
          Token name
          <input
            value={form.name}
            maxLength={100}
            placeholder="nightly export"
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
        </label>
        <label>
          Expires after (days, 1–{MAX_TOKEN_DAYS})
          <input
            type="number"
            min={1}
            max={MAX_TOKEN_DAYS}
            value={form.expiresInDays}
            onChange={(e) => setForm({ ...form, expiresInDays: e.target.value })}
          />
        </label>
        <fieldset>
          <legend>Permissions</legend>
          {permissions.map((permission) => (
            <label key={permission} className="checkbox">
              <input
                type="checkbox"
                checked={form.permissions.includes(permission)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    permissions: e.target.checked
                      ? [...form.permissions, permission]
                      : form.permissions.filter((p) => p !== permission),
                  })
                }
              />
              <span>
                {permission}
                {PERMISSION_DESCRIPTIONS[permission] !== undefined && (
                  <span className="hint"> — {PERMISSION_DESCRIPTIONS[permission]}</span>
                )}
              </span>
            </label>
          ))}
        </fieldset>
        {problem !== '' && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Create token
        </button>
      </form>
    </section>
  );
}
