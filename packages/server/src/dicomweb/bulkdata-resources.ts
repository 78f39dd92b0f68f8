import { lookupTransferSyntax } from '@lightbox/dicom';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredInstance } from '../archive/index-store.js';
import { canDecodeFrames } from '../imaging/decode-stored-frame.js';
import type { Actor } from '../security/actor.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { dicomwebBaseUrl } from './base-url.js';
import {
  bulkDataPart,
  bulkDataPathOf,
  openBulkDataObject,
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

/**
 * Whether an element is encapsulated pixel data, whose media type is negotiated: Pixel Data of an object
 * in an encapsulated syntax, its own or an icon's in an item, which PS3.5 §A.4 encapsulates alike.
 */
function isEncapsulatedPixelData(instance: StoredInstance, uri: string): boolean {
  return (
    lookupTransferSyntax(instance.transferSyntaxUid)?.encapsulated === true && uri.endsWith(`/${PIXEL_DATA}`)
  );
}

/**
 * Negotiates every part before the first byte is sent (a 406 cannot follow a 200): bulk data other than
 * encapsulated pixel data needs `application/octet-stream`; the pixel data of each compressed transfer
 * syntax in scope goes out as for `/frames` (its own media type, or decoded). Throws NotAcceptable.
 */
function negotiateParts(accept: string | undefined, scope: readonly InstanceBulkData[]): BulkNegotiation {
  const targets = new Map<string, string>();
  let octetStream = false;
  for (const { instance, uris } of scope) {
    for (const uri of uris) {
      const stored = instance.transferSyntaxUid;
      if (!isEncapsulatedPixelData(instance, uri)) octetStream = true;
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
function rootType({ instance, uris }: InstanceBulkData, { pixelTarget }: BulkNegotiation): string {
  const stored = instance.transferSyntaxUid;
  return isEncapsulatedPixelData(instance, uris[0]!) && pixelTarget(stored) === stored
    ? frameMediaType(stored)
    : 'application/octet-stream';
}

/**
 * The Study, Series and Instance Bulkdata resources (PS3.18 §10.4.1.1.5, §10.4.3.3.5): every element
 * that the metadata of the instances in scope gives as a BulkDataURI, instance by instance in the order
 * of retrieve and metadata, each element in metadata order, as one multipart/related body. Each part is
 * what GET on its BulkDataURI answers, with that URI as its Content-Location. Instances are found in the
 * actor's access scope as for frames and bulk data, and their metadata read for the URIs; objects are
 * then opened one after the other as their parts go out, never more than one at a time. Every media type
 * is negotiated first ({@link negotiateParts}); only then are the instances that go out audited as a
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
  // Matched by SOP Instance UID rather than position: the two reads are separate queries.
  const scope: InstanceBulkData[] = pending.instances
    .map((instance) => ({ instance, uris: urisBySop.get(instance.sopInstanceUid) ?? [] }))
    .filter((i) => i.uris.length > 0);
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
