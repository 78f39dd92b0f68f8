import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import {
  INVOKE_IMAGE_DISPLAY_PATH,
  invocationProblem,
  invocationProblemPage,
} from './image-display-invocation.js';

/** Where `npm run build` puts the web app (packages/web/dist), seen from this file in src/ or dist/. */
export const DEFAULT_WEB_APP_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Pages of the single-page app: each answers index.html and the app routes itself. */
const APP_PAGES = [
  '/',
  '/viewer',
  '/login',
  '/users',
  '/audit',
  '/account',
  '/settings',
  '/worklist',
  '/orders',
  '/schedule',
  '/exceptions',
  '/hl7',
  '/notices',
  // IHE Invoke Image Display (RAD-106): a page like /viewer, whose request's shape is checked first.
  INVOKE_IMAGE_DISPLAY_PATH,
];

const gzip = promisify(gzipCallback);

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Types worth compressing (WebAssembly and scripts shrink to a third). */
const COMPRESSIBLE = new Set(['.js', '.css', '.wasm', '.svg', '.json']);

interface Asset {
  body: Buffer;
  gzipped?: Buffer;
  type: string;
}

/**
 * Serves the web app (runtime contract: `/`). Its files are the static assets of the login page, so they
 * are public; everything they show comes from authenticated APIs. Hashed asset names never change, so
 * they are cached for a year; the pages are revalidated so a new build is picked up at once.
 */
export function webAppRoutes(app: FastifyInstance, webAppDir: string = DEFAULT_WEB_APP_DIR): void {
  const config = { permission: Permission.Public };
  const assets = new Map<string, Promise<Asset | undefined>>();

  // Files are read once and kept (with their gzip form): a build is a few MB and never changes underneath.
  // Compressing runs in libuv's thread pool, never on the event loop that serves DICOM; a name that is not
  // in the build is not remembered, so requests for made-up names cannot grow the map.
  const load = async (relative: string): Promise<Asset> => {
    const extension = path.extname(relative);
    const body = await readFile(path.join(webAppDir, relative));
    return {
      body,
      type: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      ...(COMPRESSIBLE.has(extension) ? { gzipped: await gzip(body, { level: 9 }) } : {}),
    };
  };
  const asset = (relative: string): Promise<Asset | undefined> => {
    let found = assets.get(relative);
    if (found === undefined) {
      found = load(relative).catch(() => {
        assets.delete(relative);
        return undefined;
      });
      assets.set(relative, found);
    }
    return found;
  };

  const send = (request: FastifyRequest, reply: FastifyReply, file: Asset, cacheControl: string) => {
    reply
      .header('content-type', file.type)
      .header('cache-control', cacheControl)
      .header('vary', 'accept-encoding');
    const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (file.gzipped !== undefined && acceptsGzip)
      return reply.header('content-encoding', 'gzip').send(file.gzipped);
    return reply.send(file.body);
  };

  for (const page of APP_PAGES) {
    app.get(page, { config, schema: { hide: true } }, async (request, reply) => {
      if (page === INVOKE_IMAGE_DISPLAY_PATH) {
        const problem = invocationProblem(request.query as Record<string, string | string[] | undefined>);
        if (problem !== undefined)
          return reply
            .code(400)
            .header('content-type', 'text/html; charset=utf-8')
            .header('cache-control', 'no-store')
            .send(invocationProblemPage(problem));
      }
      const index = await asset('index.html');
      if (index === undefined) {
        throw new AppError(
          ErrorCode.OutOfResources,
          'the web app is not built: run `npm run build` (npm start does it) and start Lightbox again',
        );
      }
      return send(request, reply, { ...index, type: 'text/html; charset=utf-8' }, 'no-cache');
    });
  }

  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { config, schema: { hide: true } },
    async (request, reply) => {
      const name = request.params.file;
      // Only the build's own flat file names: no paths, no dot files.
      const file = /^[\w][\w.-]*$/.test(name) ? await asset(path.join('assets', name)) : undefined;
      if (file === undefined) throw new AppError(ErrorCode.NotFound, `no web app asset ${name}`);
      return send(request, reply, file, 'public, max-age=31536000, immutable');
    },
  );
}
