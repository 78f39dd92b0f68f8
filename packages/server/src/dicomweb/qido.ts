import { stringifyDicomJson, type DicomJson } from '@lightbox/dicom';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Archive } from '../archive/archive.js';
import type { QueryLevel } from '../archive/query/archive-query.js';
import type { Actor } from '../security/actor.js';
import { dicomwebBaseUrl } from './base-url.js';
import { DataSetEncoding, negotiateDataSets } from './data-set-negotiation.js';
import { sendDicomXmlParts } from './dicom-xml-response.js';
import { parseQidoRequest, type QueryParameters } from './qido-request.js';

/** What QIDO-RS needs. */
export interface QidoDeps {
  archive: Archive;
  maxResults: number;
  publicUrl?: string;
}

/** RetrieveURL of a match (PS3.18 Tables 10.6.3-3/4/5): UIDs from the match, or from the request path. */
function retrieveUrl(
  base: string,
  result: DicomJson,
  level: QueryLevel,
  scope: { study?: string; series?: string },
): string {
  const uid = (tag: string) => {
    const value = result[tag]?.Value?.[0];
    return typeof value === 'string' ? value : undefined;
  };
  let url = `${base}/studies/${uid('0020000D') ?? scope.study}`;
  if (level !== 'study') url += `/series/${uid('0020000E') ?? scope.series}`;
  if (level === 'instance') url += `/instances/${uid('00080018')}`;
  return url;
}

/**
 * QIDO-RS (PS3.18 §10.6) at every level and path: answers the matches, each with its RetrieveURL, as
 * `application/dicom+json` or, when the Accept list prefers it, `multipart/related;
 * type="application/dicom+xml"` with one part per match (§10.6.3); the same query, access scope and audit
 * either way. A limit above the server's maximum is capped with a `Warning: 299` header.
 */
export async function handleQido(
  deps: QidoDeps,
  level: QueryLevel,
  request: FastifyRequest<{ Params: { study?: string; series?: string }; Querystring: QueryParameters }>,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  // Negotiated before the query: a 406 reads nothing.
  const encoding = negotiateDataSets(request.headers.accept, 'QIDO-RS');
  const { query, limitedByServer, warnings } = parseQidoRequest(
    level,
    request.query,
    { studyUid: request.params.study, seriesUid: request.params.series },
    deps.maxResults,
  );
  // When the server's maximum bounds the answer, one more row tells whether anything was left out.
  const results = await deps.archive.query(
    limitedByServer ? { ...query, limit: query.limit + 1 } : query,
    actor,
  );
  if (limitedByServer && results.length > query.limit) {
    results.pop();
    warnings.push(`There are more than ${query.limit} matches; page with limit and offset for the rest`);
  }
  // Warning header fields (PS3.18 §8.4.3): one per warning; quoted-string text, printable ASCII.
  if (warnings.length > 0)
    reply.header(
      'warning',
      warnings.map((w) => `299 lightbox "${w.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, "'")}"`),
    );
  const base = dicomwebBaseUrl(request, deps.publicUrl);
  for (const result of results) {
    result['00081190'] = { vr: 'UR', Value: [retrieveUrl(base, result, level, request.params)] };
  }
  if (encoding === DataSetEncoding.Xml) {
    // A multipart body has at least one part (RFC 2046 §5.1.1), so no matches is 204 No Content.
    if (results.length === 0) return reply.code(204).send();
    return sendDicomXmlParts(reply, results);
  }
  return reply.type('application/dicom+json').send(stringifyDicomJson(results));
}
