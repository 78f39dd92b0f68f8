import type { Readable } from 'node:stream';
import { stringifyDicomJson, toNativeDicomModel, type DicomJson } from '@lightbox/dicom';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Archive } from '../archive/archive.js';
import type { StoreOutcome } from '../archive/store-instance.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { DataSetEncoding, negotiateStoreResponse } from './data-set-negotiation.js';
import { parseMediaType } from './media-type/index.js';
import { MultipartError, parseMultipart, type MultipartPart } from './multipart/index.js';
import { dicomwebBaseUrl } from './base-url.js';
import type { Actor } from '../security/actor.js';
import { storeMetadataAndBulkData } from './stow-metadata-bulkdata.js';

/** Failure details named in Warning headers; the response's FailedSOPSequence lists every failure. */
const MAX_WARNED_FAILURES = 20;

/** What STOW-RS needs. */
export interface StowDeps {
  archive: Archive;
  maxStowBytes: number;
  publicUrl?: string;
  /** Metadata and bulk data requests: most bytes of JSON metadata (default 16 MiB). */
  maxMetadataBytes?: number;
  /** Metadata and bulk data requests: most bytes of bulk data held in memory (default 256 MiB). */
  maxBulkBytes?: number;
}

async function* limitBytes(source: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > max)
      throw new AppError(ErrorCode.PayloadTooLarge, `the request body exceeds the limit of ${max} bytes`);
    yield chunk;
  }
}

/** What the parts of a request are (PS3.18 §10.5.1.4): Part 10 instances, or DICOM JSON metadata and bulk data. */
type StowForm = 'instances' | 'metadata-json';

// The `type` parameter of the request: application/dicom (or none, as before), or JSON metadata. dcm4che's
// stowrs writes application/json; XML metadata (application/dicom+xml) is not supported.
function stowForm(partType: string | undefined): StowForm {
  const type = partType?.trim().toLowerCase();
  if (type === undefined || type === 'application/dicom') return 'instances';
  if (type === 'application/dicom+json' || type === 'application/json') return 'metadata-json';
  throw new AppError(
    ErrorCode.UnsupportedMediaType,
    `parts of type ${partType} are not supported; send application/dicom, or application/dicom+json metadata with bulk data`,
  );
}

/** The request URL as the client may have written it: under the public URL, and under the Host it used. */
function requestUrls(request: FastifyRequest, publicUrl: string | undefined): string[] {
  const path = request.url.replace(/^.*?\/dicomweb(?=\/|$)/, '');
  const urls = [
    `${dicomwebBaseUrl(request, publicUrl)}${path}`,
    `${dicomwebBaseUrl(request, undefined)}${path}`,
  ];
  return [...new Set(urls)];
}

/** Stores each Part 10 part as it arrives; a part of another type fails alone. */
async function storeInstanceParts(
  parts: AsyncIterable<MultipartPart>,
  deps: StowDeps,
  actor: Actor,
  studyUid: string | undefined,
  outcomes: StoreOutcome[],
): Promise<void> {
  for await (const part of parts) {
    const type = part.contentType === undefined ? undefined : parseMediaType(part.contentType);
    if (type !== undefined && `${type.type}/${type.subtype}` !== 'application/dicom') {
      // An unsupported part fails alone; the parser drains it before the next part.
      outcomes.push({
        ok: false,
        error: new AppError(ErrorCode.CannotUnderstand, `part of type ${part.contentType}`),
      });
      continue;
    }
    outcomes.push(await deps.archive.storeInstance(part.body, actor, { expectedStudyUid: studyUid }));
  }
}

function sopItem(classUid: string | undefined, instanceUid: string | undefined): DicomJson {
  const item: DicomJson = {};
  if (classUid !== undefined) item['00081150'] = { vr: 'UI', Value: [classUid] };
  if (instanceUid !== undefined) item['00081155'] = { vr: 'UI', Value: [instanceUid] };
  return item;
}

/** The Store Instances Response (PS3.18 §10.5.3): referenced, failed (with FailureReason) and the RetrieveURL. */
function stowResponse(outcomes: StoreOutcome[], base: string, studyUid: string | undefined): DicomJson {
  const referenced: DicomJson[] = [];
  const failed: DicomJson[] = [];
  for (const o of outcomes) {
    if (o.ok) {
      const item = sopItem(o.sopClassUid, o.sopInstanceUid);
      item['00081190'] = {
        vr: 'UR',
        Value: [`${base}/studies/${o.studyUid}/series/${o.seriesUid}/instances/${o.sopInstanceUid}`],
      };
      referenced.push(item);
    } else {
      const item = sopItem(o.sopClassUid, o.sopInstanceUid);
      item['00081197'] = { vr: 'US', Value: [o.error.code.dicom] };
      failed.push(item);
    }
  }
  const response: DicomJson = {};
  const retrieveStudy = studyUid ?? outcomes.find((o) => o.ok)?.studyUid;
  if (retrieveStudy !== undefined)
    response['00081190'] = { vr: 'UR', Value: [`${base}/studies/${retrieveStudy}`] };
  if (failed.length > 0) response['00081198'] = { vr: 'SQ', Value: failed };
  if (referenced.length > 0) response['00081199'] = { vr: 'SQ', Value: referenced };
  return response;
}

/**
 * STOW-RS (PS3.18 §10.5): a streamed `multipart/related; type="application/dicom"` body; each part goes
 * through `archive.storeInstance` as it arrives, so a study is never held in memory. With
 * `type="application/dicom+json"` the body is DICOM JSON metadata and bulk data parts instead
 * (`stow-metadata-bulkdata.ts`): these are read whole, within their own limits, and each instance is
 * assembled into a Part 10 object that takes the same path. 200 when every
 * instance is durable, 202 when some failed, 409 when none could be stored. A re-sent instance succeeds
 * and a `Warning: 299` header says it was already stored. The response data set is DICOM JSON, or the
 * Native DICOM Model when the client prefers `application/dicom+xml` (§10.5.3).
 */
export async function handleStow(
  deps: StowDeps,
  request: FastifyRequest<{ Params: { study?: string } }>,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  const contentType = parseMediaType(request.headers['content-type'] ?? '');
  if (contentType === undefined || contentType.type !== 'multipart' || contentType.subtype !== 'related') {
    throw new AppError(
      ErrorCode.UnsupportedMediaType,
      'STOW-RS takes multipart/related; type="application/dicom" (or type="application/dicom+json")',
    );
  }
  const form = stowForm(contentType.params.get('type'));
  const boundary = contentType.params.get('boundary');
  if (boundary === undefined || boundary === '') {
    throw new AppError(ErrorCode.BadRequest, 'the multipart/related Content-Type has no boundary parameter');
  }
  const declaredLength = Number(request.headers['content-length'] ?? 0);
  if (declaredLength > deps.maxStowBytes) {
    throw new AppError(
      ErrorCode.PayloadTooLarge,
      `the request body exceeds the limit of ${deps.maxStowBytes} bytes`,
    );
  }
  const encoding = negotiateStoreResponse(request.headers.accept);
  const studyUid = request.params.study;
  const body = limitBytes(request.body as Readable, deps.maxStowBytes);
  const outcomes: StoreOutcome[] = [];
  const warnings: string[] = [];
  try {
    const parts = parseMultipart(body, boundary);
    if (form === 'instances') {
      await storeInstanceParts(parts, deps, actor, studyUid, outcomes);
    } else {
      const notes = await storeMetadataAndBulkData(
        parts,
        {
          archive: deps.archive,
          actor,
          ...(studyUid === undefined ? {} : { studyUid }),
          requestUrls: requestUrls(request, deps.publicUrl),
          ...(deps.maxMetadataBytes === undefined ? {} : { maxMetadataBytes: deps.maxMetadataBytes }),
          ...(deps.maxBulkBytes === undefined ? {} : { maxBulkBytes: deps.maxBulkBytes }),
          maxStoredBytes: deps.maxStowBytes,
        },
        outcomes,
      );
      warnings.push(...notes);
    }
  } catch (error) {
    if (error instanceof MultipartError) {
      const stored = outcomes.filter((o) => o.ok).length;
      throw new AppError(
        ErrorCode.BadRequest,
        `malformed multipart body (${error.reason}: ${error.message}); ${stored} instances before it were stored`,
      );
    }
    throw error;
  }
  if (outcomes.length === 0) throw new AppError(ErrorCode.BadRequest, 'the request holds no instance');
  const stored = outcomes.filter((o) => o.ok);
  const already = stored.filter((o) => o.ok && o.status === 'already-stored').length;
  if (already > 0) warnings.push(`${already} of the instances were already stored; no second copy was kept`);
  // The Failure Reason codes say what kind of failure; a Warning header (PS3.18 8.3.5.1) says which, in
  // words (the error details name attributes and UIDs, never patient data).
  // A few of them, each cut short: thousands of distinct failures must not make a header no client reads.
  const details = [...new Set(outcomes.flatMap((o) => (o.ok ? [] : [o.error.detail])))];
  for (const detail of details.slice(0, MAX_WARNED_FAILURES))
    warnings.push(detail.length > 300 ? `${detail.slice(0, 300)}…` : detail);
  if (details.length > MAX_WARNED_FAILURES)
    warnings.push(
      `and ${details.length - MAX_WARNED_FAILURES} more kinds of failure (see FailedSOPSequence)`,
    );
  if (warnings.length > 0)
    reply.header(
      'warning',
      // A quoted-string of printable ASCII: what the client sent (a part's type) may hold anything.
      warnings.map(
        (w) =>
          `299 lightbox "${w
            .replace(/[^\x20-\x7e]/g, '?')
            .replaceAll('"', "'")
            .replaceAll('\\', '/')}"`,
      ),
    );
  // None stored because of the archive itself (A700: storage or database down) is not the client's
  // conflict: 503 tells it to retry; any other refusal of every instance is a 409.
  const serverFault = outcomes.every((o) => !o.ok && o.error.code === ErrorCode.OutOfResources);
  const status = stored.length === outcomes.length ? 200 : stored.length > 0 ? 202 : serverFault ? 503 : 409;
  const response = stowResponse(outcomes, dicomwebBaseUrl(request, deps.publicUrl), studyUid);
  reply.code(status);
  if (encoding === DataSetEncoding.Xml)
    return reply.type('application/dicom+xml').send(toNativeDicomModel(response));
  return reply.type('application/dicom+json').send(stringifyDicomJson(response));
}
