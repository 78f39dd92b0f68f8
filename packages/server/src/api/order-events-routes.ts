import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { OrderChangeFeed } from '../ris/order-change-feed.js';
import type { SessionStore } from '../security/session-store.js';
import { Permission } from '../security/permissions.js';

/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 25_000;

/**
 * `GET /api/order-events` (Server-Sent Events): the worklist, calendar and order screens hear at once
 * which orders someone else changed — `event: orders` with `{"accessionNumbers": [...]}` — and read them
 * again through `/api/orders` (audited there). The stream carries accession numbers only, no names.
 */
export function orderEventsRoutes(app: FastifyInstance, feed: OrderChangeFeed, sessions: SessionStore): void {
  const open = new Set<ServerResponse>();
  // Streams never end by themselves: end them so that the server can close.
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });
  // Opened (and reopened) by the app on its own: not the user's activity.
  const config = { permission: Permission.WorklistRead, background: true as const };
  app.get('/order-events', { config }, (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 5000\n\n');
    open.add(raw);
    const unsubscribe = feed.subscribe((accessionNumbers) =>
      raw.write(`event: orders\ndata: ${JSON.stringify({ accessionNumbers })}\n\n`),
    );
    // A browser's stream lasts no longer than its session: signed out, timed out or ended by an
    // administrator, it is closed at the next keep-alive.
    const session = request.session;
    const keepAlive = setInterval(() => {
      if (session === undefined) {
        raw.write(': keep-alive\n\n');
        return;
      }
      sessions.isOpen(session.pk).then(
        (open) => {
          // The server may have ended the stream meanwhile (it is closing).
          if (raw.writableEnded || raw.destroyed) return;
          if (open) raw.write(': keep-alive\n\n');
          else raw.end();
        },
        () => raw.end(),
      );
    }, KEEP_ALIVE_MS);
    keepAlive.unref();
    raw.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(raw);
    });
  });
}
