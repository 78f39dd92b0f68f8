import { appFetch } from '../session/session-client';

/** A notice as `/api/notifications` answers it (security/notifications.ts on the server). */
export interface Notice {
  id: number;
  createdAt: string;
  /** The role it was addressed to. */
  audience: string;
  subject: string;
  body: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/**
 * The roles the server addresses notices to (emergency access, intrusion alerts): security officers and
 * administrators.
 */
const NOTICE_ROLES: readonly string[] = ['security-officer', 'admin'];

/** True when a user with these roles gets notices. */
export function receivesNotices(roles: readonly string[]): boolean {
  return roles.some((role) => NOTICE_ROLES.includes(role));
}

/** The newest notices for the user's roles; only those nobody acknowledged yet unless `all`. */
export async function listNotices(all: boolean, signal?: AbortSignal): Promise<Notice[]> {
  const response = await appFetch(
    all ? '/api/notifications' : '/api/notifications?unacknowledged=true',
    signal ? { signal } : {},
  );
  return (await response.json()) as Notice[];
}

/** Marks a notice as seen, in the user's name. */
export async function acknowledgeNotice(id: number): Promise<void> {
  await appFetch(`/api/notifications/${id}/acknowledge`, { method: 'POST' });
}

/** A moment as local date and time to the minute: "2024-03-04 14:05". */
export function localDateTime(moment: number | string | Date): string {
  const d = new Date(moment);
  if (Number.isNaN(d.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The label of the navigation's count: "" for none, "99+" beyond 99 (the server lists at most 100). */
export function countBadge(count: number): string {
  if (count <= 0) return '';
  return count > 99 ? '99+' : String(count);
}
