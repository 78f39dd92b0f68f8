import { appFetch } from '../session/session-client';

/** An API token as listed (security/api-token-store.ts on the server): never the secret itself. */
export interface ApiToken {
  id: number;
  name: string;
  /** The token's first characters, to tell tokens apart. */
  prefix: string;
  permissions: string[];
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A token just issued: its record and the secret, which the server shows this once. */
export interface IssuedToken extends ApiToken {
  token: string;
}

/** What the server takes to issue a token (`tokenBody` in the server's users-routes.ts). */
export interface TokenRequest {
  name: string;
  permissions: string[];
  expiresInDays: number;
}

/** The server's limits on a token's life, in days (security/user-administration.ts). */
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;
const MAX_NAME_LENGTH = 100;

/** What each permission lets a token do, for the form. */
export const PERMISSION_DESCRIPTIONS: Readonly<Record<string, string>> = {
  self: 'own account, tokens and notices',
  'study:read': 'query and retrieve studies',
  'study:write': 'store instances',
  'study:emergency': 'break the glass',
  admin: 'administer users, nodes and configuration',
  'audit:read': 'search and verify the audit trail',
  'worklist:read': 'orders, schedule and worklist',
  'order:write': 'enter and change orders',
  'procedure:write': 'start and complete exams',
};

/** Whether a token works now. */
export function tokenState(token: Pick<ApiToken, 'expiresAt' | 'revokedAt'>, now: number): string {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt <= now) return 'expired';
  return 'active';
}

/** The form as typed. */
export interface TokenForm {
  name: string;
  permissions: readonly string[];
  /** As typed in the number field. */
  expiresInDays: string;
}

/** The request of a filled-in form, or what is wrong with it (the server checks again). */
export function tokenRequest(form: TokenForm): { request: TokenRequest } | { problem: string } {
  const name = form.name.trim();
  if (name === '') return { problem: 'Give the token a name (what it is for).' };
  if (name.length > MAX_NAME_LENGTH) return { problem: `A name is at most ${MAX_NAME_LENGTH} characters.` };
  if (form.permissions.length === 0) return { problem: 'Choose at least one permission.' };
  const days = Number(form.expiresInDays);
  if (form.expiresInDays.trim() === '' || !Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
    return { problem: `A token expires after 1 to ${MAX_TOKEN_DAYS} days.` };
  }
  return { request: { name, permissions: [...form.permissions], expiresInDays: days } };
}

/** The tokens under `base` (`/api/me/tokens`, or `/api/users/{name}/tokens` for administrators). */
export async function listTokens(base: string, signal?: AbortSignal): Promise<ApiToken[]> {
  return (await (await appFetch(base, signal ? { signal } : {})).json()) as ApiToken[];
}

/** Issues a token; the answer carries the secret, shown once. */
export async function issueToken(base: string, request: TokenRequest): Promise<IssuedToken> {
  const response = await appFetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  return (await response.json()) as IssuedToken;
}

/** Revokes a token: it stops working at once. */
export async function revokeToken(base: string, id: number): Promise<void> {
  await appFetch(`${base}/${id}`, { method: 'DELETE' });
}

/** The base path of a user's tokens: the caller's own, or (administrators) another user's. */
export function tokensBase(username?: string): string {
  return username === undefined ? '/api/me/tokens' : `/api/users/${encodeURIComponent(username)}/tokens`;
}
