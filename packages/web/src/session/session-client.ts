/** The signed-in user as the server describes it (`GET /api/session`). */
export interface SessionUser {
  username: string;
  displayName: string | null;
  roles: string[];
  /** What the user's roles allow (`study:read`, `admin`, `audit:read`, …). */
  permissions: string[];
  /** Institutions the user's studies are limited to (none: no such limit). */
  institutions?: string[];
}

/** A browser session: the user and the CSRF token every unsafe request must carry. */
export interface Session {
  user: SessionUser;
  csrfToken: string | null;
}

/** A failed request, with the server's problem+json detail. */
export class RequestFailed extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

let csrfToken: string | null = null;

async function failure(response: Response): Promise<RequestFailed> {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as {
      detail?: string;
      title?: string;
      '00081198'?: { Value?: Record<string, { Value?: unknown[] } | undefined>[] };
    };
    // STOW-RS answers refusals with a Failed SOP Sequence and a Failure Reason per instance (PS3.18 10.5.3).
    const failed = body['00081198']?.Value?.map((item) => {
      const reason = Number(item['00081197']?.Value?.[0] ?? 0);
      const text = item['00081196']?.Value?.[0];
      return `failure reason ${reason.toString(16).toUpperCase().padStart(4, '0')}H${text !== undefined ? ` (${String(text)})` : ''}`;
    });
    // The archive says why in Warning headers (PS3.18 8.3.5.1): `299 lightbox "text"`.
    const warnings = [...(response.headers.get('warning') ?? '').matchAll(/299 \S+ "([^"]*)"/g)].map(
      (m) => m[1],
    );
    detail =
      failed !== undefined && failed.length > 0
        ? `${detail}: ${[...failed, ...warnings].join('; ')}`
        : (body.detail ?? body.title ?? detail);
  } catch {
    // Not problem+json: keep the status line.
  }
  return new RequestFailed(response.status, detail);
}

/** Requests made this long after the user's last input are the app's own, not the user's activity. */
const IDLE_AFTER_MS = 60_000;
/** When the user last used pointer, keyboard or touch (the automatic logoff counts from it). */
let lastInput = Date.now();
if (typeof window !== 'undefined') {
  for (const type of ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart']) {
    window.addEventListener(type, () => (lastInput = Date.now()), { capture: true, passive: true });
  }
}

/**
 * `fetch` for the app's own requests: same-origin with the session cookie, and the CSRF token on unsafe
 * methods (the server refuses them without it). Non-2xx answers throw {@link RequestFailed}.
 */
export async function appFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  // Asked long after the user's last input: a refresh the app makes on its own (a worklist, the
  // notifications), which must not keep an unattended session from timing out.
  if (Date.now() - lastInput > IDLE_AFTER_MS) headers.set('x-lightbox-background', '1');
  if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && csrfToken !== null)
    headers.set('x-csrf-token', csrfToken);
  const response = await fetch(url, { ...init, headers, credentials: 'same-origin' });
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new Event('lightbox:signed-out'));
    throw await failure(response);
  }
  return response;
}

/** The current session, or null when the browser is not signed in. */
export async function currentSession(): Promise<Session | null> {
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  if (response.status === 401) return null;
  if (!response.ok) throw await failure(response);
  const session = (await response.json()) as Session;
  csrfToken = session.csrfToken;
  return session;
}

/** Signs in with a user name and password; the server sets the session cookie. */
export async function signIn(username: string, password: string): Promise<Session> {
  const response = await fetch('/api/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw await failure(response);
  const session = (await response.json()) as Session;
  csrfToken = session.csrfToken;
  return session;
}

/**
 * Ends the session on the server. A user who signed in through the identity provider is then sent there
 * to sign out too (the server answers where); the provider sends the browser back to the app.
 */
export async function signOut(): Promise<void> {
  const response = await appFetch('/api/session', { method: 'DELETE' }).catch(() => undefined);
  csrfToken = null;
  if (response?.status === 200) {
    const { logoutUrl } = (await response.json()) as { logoutUrl?: string };
    if (logoutUrl !== undefined) window.location.assign(logoutUrl);
  }
}
