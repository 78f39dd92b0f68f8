import type { Association } from '@lightbox/dimse';

/** Message IDs of the requests a peer has cancelled, per association (PS3.7 §9.3.2.3 C-CANCEL). */
const cancelled = new WeakMap<Association, Set<number>>();

/** Records a C-CANCEL-RQ for the request with this message ID. */
export function requestCancel(association: Association, messageId: number): void {
  const set = cancelled.get(association) ?? new Set<number>();
  set.add(messageId);
  cancelled.set(association, set);
}

/** True (once) when the request with this message ID was cancelled. */
export function isCancelled(association: Association, messageId: number): boolean {
  return cancelled.get(association)?.has(messageId) ?? false;
}

/** Forgets a finished request's cancellation. */
export function clearCancel(association: Association, messageId: number): void {
  cancelled.get(association)?.delete(messageId);
}
