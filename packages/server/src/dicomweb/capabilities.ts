import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { dicomwebBaseUrl } from './base-url.js';
import { parseAccept } from './media-type/index.js';
import { PIXEL_MEDIA_TYPES } from './pixel-media-types.js';

const multipart = (type: string) => `multipart/related; type="${type}"`;
const DATA_SETS = ['application/dicom+json', multipart('application/dicom+xml')];
const INSTANCES = [multipart('application/dicom'), multipart('application/octet-stream')];
const PIXELS = [
  multipart('application/octet-stream'),
  ...Object.keys(PIXEL_MEDIA_TYPES).map((type) => multipart(type)),
];
const IMAGES = ['image/jpeg', 'image/png', 'image/gif'];

/**
 * The transactions of PS3.18 this service implements, by the names the standard gives them, with the
 * media types of their answers (and, for a store, of its request): what the Capabilities Description
 * (PS3.18 §8.9, Annex H) says of each resource's methods.
 */
export const TRANSACTIONS = {
  Search: { produces: DATA_SETS },
  Store: {
    consumes: [
      multipart('application/dicom'),
      multipart('application/dicom+json'),
      multipart('application/dicom+xml'),
    ],
    produces: ['application/dicom+json', 'application/dicom+xml'],
  },
  Retrieve: { produces: INSTANCES },
  RetrieveInstance: { produces: ['application/dicom', ...INSTANCES] },
  RetrieveMetadata: { produces: DATA_SETS },
  RetrieveBulkdata: { produces: PIXELS },
  RetrieveFrames: { produces: PIXELS },
  RetrieveRendered: { produces: IMAGES },
  RetrieveThumbnail: { produces: IMAGES },
} as const satisfies Record<string, { produces: readonly string[]; consumes?: readonly string[] }>;

export type Transaction = keyof typeof TRANSACTIONS;

/** One method of one resource, as its route was registered (Fastify's URL pattern, without the prefix). */
export interface ResourceMethod {
  url: string;
  method: 'GET' | 'POST';
  transaction: Transaction;
}

const WADL_TYPE = 'application/vnd.sun.wadl+xml';
/** Methods answered 405 where a resource does not take them. */
const OTHER_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

function xmlEscaped(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/** A route's URL pattern as a WADL resource path: `:study` → `{study}`, the bulk data wildcard → `{path}`. */
function templatePath(url: string): string {
  return url
    .replace(/^\//, '')
    .replace(/:(\w+)/g, '{$1}')
    .replace(/\*$/, '{path}');
}

/**
 * A method's id, unique in the document as XML IDs must be: the transaction and the resource's path
 * segments, e.g. `RetrieveStudiesStudySeriesSeries`.
 */
function methodId(entry: ResourceMethod): string {
  const words = entry.url
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => (segment === '*' ? 'Path' : segment.replace(/^:/, '')))
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return entry.transaction + words.join('');
}

function wadlMethod(entry: ResourceMethod): string {
  const transaction: { produces: readonly string[]; consumes?: readonly string[] } =
    TRANSACTIONS[entry.transaction];
  const representations = (types: readonly string[]) =>
    types.map((type) => `<representation mediaType="${xmlEscaped(type)}"/>`).join('');
  const request =
    transaction.consumes === undefined ? '' : `<request>${representations(transaction.consumes)}</request>`;
  return (
    `<method name="${entry.method}" id="${methodId(entry)}">` +
    `${request}<response status="200">${representations(transaction.produces)}</response></method>`
  );
}

/** A WADL document (PS3.18 Annex H) of the given resources under the service's base URL. */
export function capabilitiesDescription(baseUrl: string, methods: readonly ResourceMethod[]): string {
  const byUrl = new Map<string, ResourceMethod[]>();
  for (const entry of methods) byUrl.set(entry.url, [...(byUrl.get(entry.url) ?? []), entry]);
  const resources = [...byUrl].map(([url, entries]) => {
    const path = templatePath(url);
    const params = [...path.matchAll(/\{(\w+)\}/g)]
      .map(([, name]) => `<param name="${name}" style="template" type="xsd:string" required="true"/>`)
      .join('');
    return `<resource path="${xmlEscaped(path)}">${params}${entries.map(wadlMethod).join('')}</resource>`;
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<application xmlns="http://wadl.dev.java.net/2009/02" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
    `<resources base="${xmlEscaped(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)}">${resources.join('')}` +
    '</resources></application>\n'
  );
}

/** WADL unless the Accept list rules out every XML type (406). */
function requireWadl(accept: string | undefined): void {
  const entries = parseAccept(accept);
  if (entries.length === 0) return;
  const acceptable = entries.some((entry) => {
    const type = `${entry.type}/${entry.subtype}`;
    return (
      type === WADL_TYPE ||
      type === 'application/xml' ||
      type === 'text/xml' ||
      type === 'application/*' ||
      type === '*/*'
    );
  });
  if (!acceptable)
    throw new AppError(ErrorCode.NotAcceptable, `the capabilities description is available as ${WADL_TYPE}`);
}

/**
 * The Retrieve Capabilities transaction (PS3.18 §8.9): `OPTIONS` on the service's base URI answers the
 * description of every resource; on a resource, that resource's (with its `Allow`). Any other method a
 * resource does not take is answered 405 with `Allow` (RFC 9110 §15.5.6) rather than 404, so that a
 * client learns it reached a resource that exists.
 */
export function capabilityRoutes(
  app: FastifyInstance,
  methods: readonly ResourceMethod[],
  publicUrl: string | undefined,
): void {
  const config = { config: { permission: Permission.Self } };
  const describe = (
    request: FastifyRequest,
    reply: FastifyReply,
    described: readonly ResourceMethod[],
    allow: string,
  ) => {
    requireWadl(request.headers.accept);
    return reply
      .header('allow', allow)
      .type(WADL_TYPE)
      .send(capabilitiesDescription(dicomwebBaseUrl(request, publicUrl), described));
  };
  app.options('/', config, (request, reply) => describe(request, reply, methods, 'OPTIONS'));

  const urls = [...new Set(methods.map((entry) => entry.url))];
  for (const url of urls) {
    const own = methods.filter((entry) => entry.url === url);
    const taken: readonly string[] = own.map((entry) => entry.method);
    const allow = ['GET', 'HEAD', 'POST', 'OPTIONS']
      .filter((method) => method === 'OPTIONS' || taken.includes(method === 'HEAD' ? 'GET' : method))
      .join(', ');
    app.options(url, config, (request, reply) => describe(request, reply, own, allow));
    const refused = OTHER_METHODS.filter((method) => !taken.includes(method));
    app.route({
      method: refused,
      url,
      ...config,
      handler: (request, reply) => {
        reply.header('allow', allow);
        throw new AppError(
          ErrorCode.MethodNotAllowed,
          `${request.method} is not supported on this resource; it takes ${allow}`,
        );
      },
    });
  }
}
