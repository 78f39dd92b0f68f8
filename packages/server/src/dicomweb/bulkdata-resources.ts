import { lookupTransferSyntax } from '@lightbox/dicom';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Archive } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import { canDecodeFrames } from '../imaging/decode-stored-frame.js';
import type { Actor } from '../security/actor.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { dicomwebBaseUrl } from './base-url.js';
import {
  bulkDataPart,
  bulkDataPathOf,
  openBulkDataObject,
  readItemElements,
  type BulkNegotiation,
} from './bulk-data-element.js';
import type { MultipartWritePart } from './multipart/index.js';
import {
  acceptsMultipart,
  frameMediaType,
  negotiateFrames,
  requireOctetStream,
} from './retrieve-negotiation.js';
import { selectorOf, sendMultipart, type WadoDeps, type WadoParams } from './wado-rs.js';

// Relative BulkDataURIs as the metadata holds them; their text never needs unescaping (UIDs, hex tags,
// item numbers), and a `"BulkDataURI":"` inside a string value would have its quotes escaped.
const BULK_DATA_URI =
  /"BulkDataURI":"(studies\/[^"/]+\/series\/[^"/]+\/instances\/([^"/]+)\/bulkdata\/[^"]+)"/g;
const PIXEL_DATA = '7FE00010';

/** An instance whose bulk data goes out, with the relative BulkDataURIs of its metadata, in order. */
interface InstanceBulkData {
  instance: StoredInstance;
  uris: string[];
  /** For each URI: whether its value is encapsulated pixel data, whose media type is negotiated. */
  encapsulated: boolean[];
}

/** The BulkDataURIs of metadata texts by SOP Instance UID, each list in document order. */
function bulkDataUris(texts: readonly string[]): Map<string, string[]> {
  const bySop = new Map<string, string[]>();
  for (const text of texts) {
    for (const [, uri, sop] of text.matchAll(BULK_DATA_URI)) {
      const list = bySop.get(sop!) ?? [];
      list.push(uri!);
      bySop.set(sop!, list);
    }
  }
  return bySop;
}

/** The element path of a relative BulkDataURI (what follows `/bulkdata/`). */
function pathOf(uri: string): string[] {
  return bulkDataPathOf(uri.slice(uri.indexOf('/bulkdata/') + '/bulkdata/'.length));
}

function isPixelData(path: readonly string[]): boolean {
  return path[path.length - 1]!.toUpperCase() === PIXEL_DATA;
}

/**
 * Which values of an instance are encapsulated pixel data, by each element's own encoding as
 * {@link bulkDataPart} decides, not by the object's syntax alone. In an encapsulated syntax: its Pixel
 * Data, as its frame index says; an icon's (Pixel Data in an item), which PS3.5 §A.4 encapsulates alike
 * but some writers leave native (defined length), as its element says: the object is read only as far
 * as the icon's sequence, before the body starts. Any other value is uncompressed.
 */
async function encapsulatedValues(
  archive: Archive,
  instance: StoredInstance,
  uris: readonly string[],
): Promise<boolean[]> {
  const paths = uris.map(pathOf);
  if (lookupTransferSyntax(instance.transferSyntaxUid)?.encapsulated !== true) return paths.map(() => false);
  const own = instance.frameIndex?.encapsulated !== false;
  const result = paths.map((path) => path.length === 1 && isPixelData(path) && own);
  const inItems = paths.flatMap((path, i) => (path.length > 1 && isPixelData(path) ? [i] : []));
  if (inItems.length === 0) return result;
  const found = await readItemElements(
    archive,
    instance,
    inItems.map((i) => paths[i]!),
  );
  inItems.forEach((i, k) => (result[i] = found[k]?.element.encapsulated !== undefined));
  return result;
}

/**
 * Negotiates every part before the first byte is sent (a 406 cannot follow a 200): bulk data other than
 * encapsulated pixel data needs `application/octet-stream`; the pixel data of each compressed transfer
 * syntax in scope goes out as for `/frames` (its own media type, or decoded). Throws NotAcceptable.
 */
function negotiateParts(accept: string | undefined, scope: readonly InstanceBulkData[]): BulkNegotiation {
  const targets = new Map<string, string>();
  let octetStream = false;
  for (const { instance, encapsulated } of scope) {
    const stored = instance.transferSyntaxUid;
    for (const pixels of encapsulated) {
      if (!pixels) octetStream = true;
      else if (!targets.has(stored))
        targets.set(stored, negotiateFrames(accept, stored, canDecodeFrames(stored)));
    }
  }
  if (octetStream)
    requireOctetStream(accept, 'this bulk data includes values other than compressed pixel data');
  return {
    // Pixel data in a syntax not negotiated above (not expected) goes out as stored rather than failing
    // once the body has begun.
    pixelTarget: (stored) => targets.get(stored) ?? stored,
    // Checked above for every uncompressed value in scope: a 406 cannot follow a 200.
    requireOctetStream: () => {},
  };
}

/** The `type` of the body: the media type of its root, first, part (RFC 2387 §3.1). */
function rootType({ instance, encapsulated }: InstanceBulkData, { pixelTarget }: BulkNegotiation): string {
  const stored = instance.transferSyntaxUid;
  return encapsulated[0] === true && pixelTarget(stored) === stored
    ? frameMediaType(stored)
    : 'application/octet-stream';
}

/**
 * The Study, Series and Instance Bulkdata resources (PS3.18 §10.4.1.1.5, §10.4.3.3.5): every element
 * that the metadata of the instances in scope gives as a BulkDataURI, instance by instance in the order
 * of retrieve and metadata, each element in metadata order, as one multipart/related body. Each part is
 * what GET on its BulkDataURI answers, with that URI as its Content-Location. Instances are found in the
 * actor's access scope as for frames and bulk data, and their metadata read for the URIs; objects are
 * then opened one after the other as their parts go out, never more than one at a time (one with an icon
 * in a compressed syntax is read before, as far as the icon: {@link encapsulatedValues}). Every media
 * type is negotiated first ({@link negotiateParts}); only then are the instances that go out audited as a
 * transfer (and their metadata as accessed).
 */
export async function handleBulkDataResource(
  deps: WadoDeps,
  request: FastifyRequest<{ Params: WadoParams }>,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  const accept = request.headers.accept;
  if (!acceptsMultipart(accept)) {
    throw new AppError(
      ErrorCode.NotAcceptable,
      'bulk data is answered as multipart/related; type="application/octet-stream"',
    );
  }
  // Read unaudited: only an answer that sends bulk data is a transfer (a 406 audits nothing, as for
  // metadata; a 204 sends no instance but tells of their metadata).
  const pending = await deps.archive.prepareTransfer(selectorOf(request.params), actor);
  const urisBySop = bulkDataUris(pending.metadata);
  const scope: InstanceBulkData[] = [];
  for (const instance of pending.instances) {
    // Matched by SOP Instance UID rather than position: the two reads are separate queries.
    const uris = urisBySop.get(instance.sopInstanceUid) ?? [];
    if (uris.length === 0) continue;
    scope.push({ instance, uris, encapsulated: await encapsulatedValues(deps.archive, instance, uris) });
  }
  const first = scope[0];
  if (first === undefined) {
    // Instances without bulk data (e.g. structured reports): the resource exists but holds nothing, and
    // a multipart body needs at least one part (RFC 2046 §5.1.1). 204, as PS3.18 §8.3.4.4.1 answers an
    // empty search, rather than 404, which would say the study is unknown or out of reach.
    pending.recordAccess();
    return reply.code(204).send();
  }

  const negotiation = negotiateParts(accept, scope);
  pending.recordTransfer(scope.map((i) => i.instance));
  const base = dicomwebBaseUrl(request, deps.publicUrl);
  async function* parts(): AsyncGenerator<MultipartWritePart> {
    for (const { instance, uris } of scope) {
      const object = await openBulkDataObject(deps.archive, instance);
      for (const uri of uris) {
        yield await bulkDataPart(deps.archive, object, pathOf(uri), negotiation, `${base}/${uri}`);
      }
    }
  }
  return sendMultipart(reply, rootType(first, negotiation), parts());
}
