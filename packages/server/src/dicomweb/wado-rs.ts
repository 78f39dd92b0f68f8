import { Readable } from 'node:stream';
import { TransferSyntaxUid, type DicomJson } from '@lightbox/dicom';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Archive } from '../archive/archive.js';
import type { InstanceSelector, StoredInstance } from '../archive/index-store.js';
import { canDecodeFrames } from '../imaging/decode-stored-frame.js';
import { frameBody } from '../imaging/read-frame.js';
import { canServeAs, transcodeInstance } from '../imaging/transcode-instance.js';
import type { Actor } from '../security/actor.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { dicomwebBaseUrl } from './base-url.js';
import {
  bulkDataPart,
  bulkDataPathOf,
  openBulkDataObject,
  type BulkNegotiation,
} from './bulk-data-element.js';
import { DataSetEncoding, negotiateMetadata } from './data-set-negotiation.js';
import { sendDicomXmlParts } from './dicom-xml-response.js';
import { createBoundary, releaseBody, writeMultipart, type MultipartWritePart } from './multipart/index.js';
import {
  frameMediaType,
  negotiateFrames,
  negotiatePixelData,
  negotiateInstances,
  requireOctetStream,
} from './retrieve-negotiation.js';
import { closableUnread } from '../http/closable-unread.js';
import { recordedOnFirstPart } from './recorded-on-first-part.js';

/** What WADO-RS needs. */
export interface WadoDeps {
  archive: Archive;
  publicUrl?: string;
}

/** Path parameters of the WADO-RS resources. */
export interface WadoParams {
  study: string;
  series?: string;
  instance?: string;
  frames?: string;
  '*'?: string;
}

export function selectorOf(params: WadoParams): InstanceSelector {
  return { studyUid: params.study, seriesUid: params.series, sopInstanceUid: params.instance };
}

/**
 * The URL of an instance, for the Content-Location of bulk data and frame parts (PS3.18 §6.5.4-6.5.5 of
 * 2014: `Content-Location: {BulkDataURL}[/frames/{n}]`; RFC 2557): clients tell the parts apart by it,
 * and odil's WADO-RS client refuses bulk data parts without it.
 */
function instanceUrl(base: string, instance: StoredInstance): string {
  return `${base}/studies/${instance.studyUid}/series/${instance.seriesUid}/instances/${instance.sopInstanceUid}`;
}

/** Sends parts as a `multipart/related` body of this `type`, streamed as the client reads it. */
export function sendMultipart(
  reply: FastifyReply,
  partType: string,
  parts: AsyncIterable<MultipartWritePart> | Iterable<MultipartWritePart>,
): FastifyReply {
  const boundary = createBoundary();
  const body = Readable.from(writeMultipart(parts, boundary));
  // A generator makes its parts as it is read. Parts given as a list were made already and may hold an
  // opened object: they are released when the answer closes, so that it too may be closed unread (a
  // HEAD); sent in full, they have ended and releasing them does nothing.
  if (Array.isArray(parts)) {
    const made: readonly MultipartWritePart[] = parts;
    body.once('close', () => made.forEach((part) => void releaseBody(part.body)));
  }
  closableUnread(body);
  return reply.type(`multipart/related; type="${partType}"; boundary=${boundary}`).send(body);
}

/**
 * Retrieve a study, series or instance (PS3.18 §10.4.1.1.1) as `multipart/related;
 * type="application/dicom"`: in the stored syntax on `transfer-syntax=*`, else converted (Explicit VR
 * Little Endian by default). Parts stream from storage one after the other. The instances are read in
 * the actor's access scope and audited as transferred only once the answer is decided, just before the
 * body starts: a 406 records nothing.
 */
export async function handleRetrieveInstances(
  deps: WadoDeps,
  request: FastifyRequest<{ Params: WadoParams }>,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  const selector = selectorOf(request.params);
  const { instances, recordTransfer } = await deps.archive.prepareInstances(selector, actor);
  const representation = negotiateInstances(
    request.headers.accept,
    (syntax) => instances.every((i) => canServeAs(i.transferSyntaxUid, syntax)),
    selector.sopInstanceUid !== undefined,
  );
  if (!representation.multipart) {
    const { transferSyntaxUid, body } = await transcodeInstance(
      deps.archive,
      instances[0]!,
      representation.transferSyntax,
    );
    // Recorded before the first byte: a body cut short still sent part of the instance.
    recordTransfer(instances);
    return reply.type(`application/dicom; transfer-syntax=${transferSyntaxUid}`).send(instanceBody(body));
  }
  const open = (index: number) => {
    const instance = instances[index];
    if (instance === undefined) return undefined;
    const opening = transcodeInstance(deps.archive, instance, representation.transferSyntax);
    opening.catch(() => {}); // awaited when its turn comes
    return opening;
  };
  // Each part's object is opened while the one before it is still being sent.
  async function* parts(): AsyncGenerator<MultipartWritePart> {
    let next = open(0);
    try {
      for (let index = 0; next !== undefined; index++) {
        const { transferSyntaxUid, body } = await next;
        next = open(index + 1);
        yield { contentType: `application/dicom; transfer-syntax=${transferSyntaxUid}`, body };
      }
    } finally {
      // The client went away: the object opened ahead is not sent.
      if (next !== undefined) await releaseOpened(next);
    }
  }
  // Recorded as the first part is ready, for every instance the body sets out to send: a client that
  // goes away, or a later part that fails, leaves fewer sent, but none sent goes unrecorded.
  return sendMultipart(
    reply,
    'application/dicom',
    recordedOnFirstPart(parts(), () => recordTransfer(instances)),
  );
}

/**
 * The body of a single instance as {@link transcodeInstance} gives it: the stored object's own stream, or
 * a converted one made as it is read; either may be closed unread (a HEAD).
 */
export function instanceBody(body: AsyncIterable<Uint8Array>): Readable {
  return closableUnread(body instanceof Readable ? body : Readable.from(body));
}

/** Releases an object opened ahead of sending (its file handle), whatever kind of stream it is. */
async function releaseOpened(opening: ReturnType<typeof transcodeInstance>): Promise<void> {
  try {
    const { body } = await opening;
    if (body instanceof Readable) body.destroy();
    else await (body as AsyncGenerator<Uint8Array>).return?.(undefined);
  } catch {
    // it could not be opened: nothing to release
  }
}

/**
 * Metadata of a study, series or instance (PS3.18 §10.4.1.1.2): the DICOM JSON kept at ingest, joined
 * without parsing, BulkDataURIs made absolute. When the Accept list (or the `accept` parameter) prefers
 * `multipart/related; type="application/dicom+xml"` (Table 10.4.4-1), the same metadata goes out as one
 * Native DICOM Model part per instance, each converted as its turn comes.
 */
export async function handleMetadata(
  deps: WadoDeps,
  request: FastifyRequest<{ Params: WadoParams; Querystring: Record<string, string | string[] | undefined> }>,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  // Negotiated before reading: a 406 reads and audits nothing.
  const encoding = negotiateMetadata(request.headers.accept);
  const texts = await deps.archive.instanceMetadata(selectorOf(request.params), actor);
  const base = dicomwebBaseUrl(request, deps.publicUrl);
  if (encoding === DataSetEncoding.Xml) {
    const dataSets = (function* () {
      for (const text of texts) yield JSON.parse(text) as DicomJson;
    })();
    return sendDicomXmlParts(reply, dataSets, { bulkDataUri: (uri) => `${base}/${uri}` });
  }
  const prefix = `"BulkDataURI":"${base}/`;
  const body = `[${texts.map((t) => t.replaceAll('"BulkDataURI":"', prefix)).join(',')}]`;
  return reply.type('application/dicom+json').send(body);
}

function parseFrameList(text: string, frameCount: number): number[] {
  const frames = text.split(',').map((t) => t.trim());
  if (frames.some((f) => !/^[1-9]\d*$/.test(f))) {
    throw new AppError(
      ErrorCode.InvalidParameter,
      `frames: "${text}" is not a list of frame numbers (1, 2, …)`,
      'frames',
    );
  }
  const numbers = frames.map(Number);
  const beyond = numbers.find((n) => n > frameCount);
  if (beyond !== undefined)
    throw new AppError(ErrorCode.NotFound, `frame ${beyond} does not exist; the instance has ${frameCount}`);
  return numbers;
}

/** An instance read for its frames or bulk data, not audited yet. */
interface PendingInstance {
  instance: StoredInstance;
  /** Audits it as transferred: called once the answer is decided, before its first byte goes out. */
  recordTransfer(): void;
}

/**
 * One instance whose frames or bulk data are read (never the whole object, so no current values), in
 * the actor's access scope. Unaudited: a refused (406) or missing (404) frame or element sends nothing.
 */
async function oneInstance(deps: WadoDeps, params: WadoParams, actor: Actor): Promise<PendingInstance> {
  const pending = await deps.archive.prepareInstances(selectorOf(params), actor, 'pixels');
  const instance = pending.instances[0]!;
  return { instance, recordTransfer: () => pending.recordTransfer([instance]) };
}

/**
 * Frames (PS3.18 §10.4.1.1.3): each frame read from storage by byte range through the frame index built
 * at ingest — no whole-object read, and a large one sent as stored (a video stream) streamed range by
 * range. Uncompressed by default; the stored bitstream when its media type or `transfer-syntax=*` is
 * accepted; compressed frames are decoded when uncompressed ones are asked for.
 * Audited as a transfer once the frames exist and their media type is agreed, before the first part.
 */
export async function handleFrames(
  deps: WadoDeps,
  request: FastifyRequest<{ Params: WadoParams }>,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  const { instance, recordTransfer } = await oneInstance(deps, request.params, actor);
  const frameCount = instance.frameIndex?.frames.length ?? instance.numberOfFrames ?? 1;
  const numbers = parseFrameList(request.params.frames ?? '', frameCount);
  const { transferSyntax: target, multipart } = negotiateFrames(
    request.headers.accept,
    instance.transferSyntaxUid,
    canDecodeFrames(instance.transferSyntaxUid),
    numbers.length === 1,
  );
  const partType =
    target === TransferSyntaxUid.ExplicitVRLittleEndian ? 'application/octet-stream' : frameMediaType(target);
  const url = instanceUrl(dicomwebBaseUrl(request, deps.publicUrl), instance);
  if (!multipart) {
    // One frame asked for in a single-part type: the frame is the whole body.
    const body = await frameBody(deps.archive, instance, numbers[0]! - 1, target);
    recordTransfer();
    return reply
      .type(`${partType}; transfer-syntax=${target}`)
      .header('content-location', `${url}/frames/${numbers[0]}`)
      .send(
        body instanceof Uint8Array
          ? Buffer.from(body.buffer, body.byteOffset, body.length)
          : instanceBody(body),
      );
  }
  async function* parts(): AsyncGenerator<MultipartWritePart> {
    for (const n of numbers) {
      // A streamed frame is closed by the multipart writer if the client goes away before or while it is sent.
      const body = await frameBody(deps.archive, instance, n - 1, target);
      yield {
        contentType: `${partType}; transfer-syntax=${target}`,
        headers: { 'Content-Location': `${url}/frames/${n}` },
        body,
      };
    }
  }
  // A frame that fails to read or decode after others went out cuts the body short: the instance was
  // still (partly) sent, so it is recorded with the first frame rather than once the body ends.
  return sendMultipart(reply, partType, recordedOnFirstPart(parts(), recordTransfer));
}

/**
 * Bulk data (PS3.18 §10.4.1.1.5) named by the BulkDataURIs of the metadata: `bulkdata/<tag>` or a path
 * through sequence items `bulkdata/<seq>/<item>/<tag>`. Answered as one `application/octet-stream` part,
 * little endian (406 unless the Accept header allows it); encapsulated pixel data as its fragments in the
 * stored syntax when its media type is accepted, else decoded as for /frames. Audited as a transfer once
 * the element is found and its media type agreed, before the part goes out.
 */
export async function handleBulkData(
  deps: WadoDeps,
  request: FastifyRequest<{ Params: WadoParams }>,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  const { instance, recordTransfer } = await oneInstance(deps, request.params, actor);
  const path = bulkDataPathOf(request.params['*'] ?? '');
  const object = await openBulkDataObject(deps.archive, instance);
  const accept = request.headers.accept;
  const negotiation: BulkNegotiation = {
    pixelTarget: (stored, decodable) => negotiatePixelData(accept, stored, decodable),
    requireOctetStream: () => requireOctetStream(accept, 'this bulk data is uncompressed'),
  };
  const location = `${instanceUrl(dicomwebBaseUrl(request, deps.publicUrl), instance)}/bulkdata/${path.join('/')}`;
  const part = await bulkDataPart(deps.archive, object, path, negotiation, location);
  recordTransfer();
  return sendMultipart(reply, part.partType, [part]);
}
