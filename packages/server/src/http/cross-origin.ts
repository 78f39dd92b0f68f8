import type { FastifyInstance } from 'fastify';

/** Headers a web client on another origin may read (PS3.18 answers name parts and warnings in them). */
const EXPOSED_HEADERS = [
  'Content-Location',
  'Content-Disposition',
  'Location',
  'Retry-After',
  'Warning',
  'WWW-Authenticate',
].join(', ');

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';

/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

/**
 * Lets web apps served from the named origins (e.g. a zero-footprint viewer on its own host) read
 * Lightbox's answers (CORS). They authenticate with an API token (`Authorization: Bearer`), never with
 * the browser's own credentials: no `Access-Control-Allow-Credentials`, so session cookies and remembered
 * passwords stay same-site (docs/security.md). A preflight (OPTIONS with Access-Control-Request-Method)
 * from such an origin is answered before authentication, as browsers send it without credentials; any
 * other origin gets no CORS header, so its scripts cannot read the answer.
 */
export function allowCrossOrigin(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  // As browsers send them: scheme and host in lower case, no default port.
  const allowed = new Set(origins.map((origin) => new URL(origin).origin));
  // Added to whatever Vary an answer has by then (a route's own, e.g. Accept-Encoding, replaces one set
  // earlier): a shared cache must not give one origin's Access-Control-Allow-Origin to another.
  app.addHook('onSend', async (_request, reply, payload) => {
    const vary = String(reply.getHeader('vary') ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    if (!vary.some((name) => name === '*' || name.toLowerCase() === 'origin'))
      reply.header('vary', [...vary, 'Origin'].join(', '));
    return payload;
  });
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    const preflightMethod = request.headers['access-control-request-method'];
    if (request.method !== 'OPTIONS' || preflightMethod === undefined) return;
    const requestedHeaders = request.headers['access-control-request-headers'];
    await reply
      .code(204)
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-allow-headers', requestedHeaders ?? 'Authorization, Content-Type, Accept')
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
      .send();
    return reply;
  });
}
