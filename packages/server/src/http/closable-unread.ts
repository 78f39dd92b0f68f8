import type { Readable } from 'node:stream';

/** Bodies that hold nothing closing them unread would leak (see {@link closableUnread}). */
const bodies = new WeakSet<Readable>();

/**
 * Marks a streamed body that an answer to HEAD may close unread: one whose producer opens what it sends
 * only as it is read (a multipart answer made part by part, a converted object read range by range), or
 * a stored object's own stream, whose `destroy()` closes its file. A body wrapping a stream it does not
 * own (`Readable.from(stream)`, a list of parts already opened) is not: HEAD reads it to its end, as
 * Fastify does, which closes what it holds.
 */
export function closableUnread(body: Readable): Readable {
  bodies.add(body);
  return body;
}

/** Whether a body was marked by {@link closableUnread}. */
export function isClosableUnread(body: Readable): boolean {
  return bodies.has(body);
}
