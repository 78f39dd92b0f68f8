import { appFetch, RequestFailed, type SessionUser } from '../session/session-client';

/** An emergency access in force, as `/api/emergency-access` answers it (times in epoch milliseconds here). */
export interface ActiveEmergency {
  reason: string;
  startedAt: number;
  expiresAt: number;
}

/** The server's limits (security/emergency-access.ts): a reason of 10 characters or more, 1–240 minutes. */
const MIN_REASON_LENGTH = 10;
export const DEFAULT_EMERGENCY_MINUTES = 60;
export const MAX_EMERGENCY_MINUTES = 240;

/** The durations the dialog offers, in minutes; the default is the server's. */
export const EMERGENCY_DURATIONS: readonly { minutes: number; label: string }[] = [
  { minutes: 15, label: '15 minutes' },
  { minutes: 30, label: '30 minutes' },
  { minutes: DEFAULT_EMERGENCY_MINUTES, label: '1 hour' },
  { minutes: 120, label: '2 hours' },
  { minutes: MAX_EMERGENCY_MINUTES, label: '4 hours (the most allowed)' },
];

/**
 * Roles whose users see every study (security/access-scope.ts on the server) unless an administrator
 * limited them to some institutions.
 */
const SEES_EVERY_PATIENT = ['admin', 'radiologist', 'technologist', 'data-scientist', 'dicom-node'];

/**
 * True when the user may break the glass and it would show them more: they have the `study:emergency`
 * permission and their roles or restrictions hide some studies (a referring physician, or anyone limited
 * to some institutions).
 */
export function mayBreakTheGlass(user: Pick<SessionUser, 'roles' | 'permissions' | 'institutions'>): boolean {
  if (!user.permissions.includes('study:emergency')) return false;
  const seesEveryPatient = user.roles.some((role) => SEES_EVERY_PATIENT.includes(role));
  return !seesEveryPatient || (user.institutions ?? []).length > 0;
}

/** What is wrong with a stated reason, or undefined when the server will take it. */
export function reasonProblem(reason: string): string | undefined {
  const length = reason.trim().length;
  if (length === 0) return 'State why you need emergency access.';
  if (length < MIN_REASON_LENGTH) return `State the reason in at least ${MIN_REASON_LENGTH} characters.`;
  return undefined;
}

/** The time left, for the banner: "1 h 05 min", "12 min", "45 s"; "expired" at or below zero. */
export function remainingText(milliseconds: number): string {
  if (milliseconds <= 0) return 'expired';
  const seconds = Math.ceil(milliseconds / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The clock time an emergency access ends, in the user's locale ("14:35"). */
export function untilText(expiresAt: number): string {
  return new Date(expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

interface EmergencyJson {
  reason: string;
  startedAt: string;
  expiresAt: string;
}

/** The server's answer with its times as epoch milliseconds. */
export function emergencyOf(json: EmergencyJson): ActiveEmergency {
  return {
    reason: json.reason,
    startedAt: Date.parse(json.startedAt),
    expiresAt: Date.parse(json.expiresAt),
  };
}

/** Breaks the glass: every study becomes visible until it expires or is ended. */
export async function startEmergencyAccess(reason: string, minutes: number): Promise<ActiveEmergency> {
  const response = await appFetch('/api/emergency-access', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: reason.trim(), minutes }),
  });
  return emergencyOf((await response.json()) as EmergencyJson);
}

/** The user's emergency access in force, or null when there is none. */
export async function currentEmergencyAccess(): Promise<ActiveEmergency | null> {
  try {
    return emergencyOf((await (await appFetch('/api/emergency-access')).json()) as EmergencyJson);
  } catch (e) {
    if (e instanceof RequestFailed && e.status === 404) return null;
    throw e;
  }
}

/** Ends the user's own emergency access now (nothing to do when it already ended). */
export async function endEmergencyAccess(): Promise<void> {
  try {
    await appFetch('/api/emergency-access', { method: 'DELETE' });
  } catch (e) {
    if (!(e instanceof RequestFailed && e.status === 404)) throw e;
  }
}

/** An administrator ends another user's emergency access; throws the server's 404 when none is in force. */
export async function endEmergencyAccessOf(username: string): Promise<void> {
  await appFetch(`/api/users/${encodeURIComponent(username)}/emergency-access`, { method: 'DELETE' });
}

/** True when two states (null: none in force) are the same emergency access. */
export function sameEmergency(a: ActiveEmergency | null, b: ActiveEmergency | null): boolean {
  if (a === null || b === null) return a === b;
  return a.startedAt === b.startedAt && a.expiresAt === b.expiresAt && a.reason === b.reason;
}
