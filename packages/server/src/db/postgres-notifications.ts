import pg from 'pg';
import type { Logger } from 'pino';

/** A LISTEN connection; close it on shutdown. */
export interface PostgresListener {
  close(): Promise<void>;
}

const RECONNECT_MS = 5_000;

/**
 * Listens on a PostgreSQL NOTIFY channel over a connection of its own (LISTEN holds it), and passes each
 * payload on. A lost connection is opened again after a few seconds; notifications sent meanwhile are
 * lost (the screens that depend on them also refresh on a timer), so `onListening`, called each time
 * the LISTEN is (again) in place, lets a listener drop what it may have missed.
 */
export async function listenPostgres(
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
  logger: Logger,
  onListening: () => void = () => undefined,
): Promise<PostgresListener> {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    // TCP keepalive: a connection that died silently (a failover, a dropped NAT entry) is noticed and
    // opened again, instead of listening to nothing.
    const next = new pg.Client({ connectionString: url, keepAlive: true });
    next.on('notification', (message) => {
      if (message.channel === channel) onPayload(message.payload ?? '');
    });
    next.on('error', (error) => {
      logger.warn({ err: error, channel }, 'PostgreSQL LISTEN connection lost; reconnecting');
      void next.end().catch(() => undefined);
      if (client === next) client = undefined;
      if (!closed) retry = setTimeout(() => void connect().catch(() => undefined), RECONNECT_MS);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      void next.end().catch(() => undefined);
      if (closed) return;
      logger.warn({ err: error, channel }, 'PostgreSQL LISTEN failed; retrying');
      retry = setTimeout(() => void connect().catch(() => undefined), RECONNECT_MS);
      return;
    }
    if (closed) await next.end();
    else {
      client = next;
      onListening();
    }
  };
  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
