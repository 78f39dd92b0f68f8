import type { Readable } from 'node:stream';

/** Bodies that open nothing until they are read (see {@link producedOnRead}). */
const bodies = new WeakSet<Readable>();

/**
 * Marks a streamed body whose producer opens what it sends only as it is read (a multipart answer made
 * part by part), so that an answer to HEAD can close it unread. Other streams hold something open
 * already (a file): HEAD reads them to their end, as Fastify does, which closes it.
 */
export function producedOnRead(body: Readable): Readable {
  bodies.add(body);
  return body;
}

/** Whether a body was marked by {@link producedOnRead}. */
export function isProducedOnRead(body: Readable): boolean {
  return bodies.has(body);
}
