import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../security/actor.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { dicomwebBaseUrl } from './base-url.js';
import { bulkDataPart, openBulkDataObject, UndecodableIcon } from './bulk-data-element.js';
import { planBulkData, storedValues, type InstanceBulkData, type StoredValue } from './bulkdata-plan.js';
import type { MultipartWritePart } from './multipart/index.js';
import { acceptsMultipart } from './retrieve-negotiation.js';
import { selectorOf, sendMultipart, type WadoDeps, type WadoParams } from './wado-rs.js';
import { recordedOnFirstPart } from './recorded-on-first-part.js';

// Relative BulkDataURIs as the metadata holds them; their text never needs unescaping (UIDs, hex tags,
// item numbers), and a `"BulkDataURI":"` inside a string value would have its quotes escaped.
const BULK_DATA_URI =
  /"BulkDataURI":"(studies\/[^"/]+\/series\/[^"/]+\/instances\/([^"/]+)\/bulkdata\/[^"]+)"/g;

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

/** `Warning: 299` (PS3.18 §8.4.3) for the icons left out: quoted-string text, printable ASCII. */
function leftOutWarning(leftOut: readonly string[]): string {
  const text =
    `${leftOut.length} icon${leftOut.length === 1 ? '' : 's'} left out: they go out only as stored, in a ` +
    `media type not accepted (${leftOut[0]})`;
  return `299 lightbox "${text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, "'")}"`;
}

/**
 * A part, or none for an icon that fails to decode (a corrupt codestream, found out only now): it is
 * decoded before its part starts, so leaving it out keeps the rest of the body whole. Anything else (a
 * fragment that storage cannot read) cuts the body short, as it would any other part.
 */
async function partOrNone(
  value: StoredValue,
  make: () => Promise<MultipartWritePart>,
  log: FastifyBaseLogger,
): Promise<MultipartWritePart | undefined> {
  try {
    return await make();
  } catch (error) {
    if (!(error instanceof UndecodableIcon)) throw error;
    log.warn({ err: error, uri: value.uri }, 'an icon that could not be decoded was left out');
    return undefined;
  }
}

/**
 * The Study, Series and Instance Bulkdata resources (PS3.18 §10.4.1.1.5, §10.4.3.3.5): every element
 * that the metadata of the instances in scope gives as a BulkDataURI, instance by instance in the order
 * of retrieve and metadata, each element in metadata order, as one multipart/related body. Each part is
 * what GET on its BulkDataURI answers, with that URI as its Content-Location. Instances are found in the
 * actor's access scope as for frames and bulk data, and their metadata read for the URIs; objects are
 * then opened one after the other as their parts go out, never more than one at a time (one with an icon
 * in a compressed syntax is read before, as far as the icon: {@link storedValues}). Every media type is
 * negotiated first ({@link planBulkData}); an icon that cannot go out in an accepted type is left out,
 * with a Warning. Only then are the instances that go out audited as a transfer (and their metadata as
 * accessed).
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
    // Matched by the SOP Instance UID each metadata text carries, not by position in the list.
    const uris = urisBySop.get(instance.sopInstanceUid) ?? [];
    if (uris.length > 0) scope.push({ instance, values: await storedValues(deps.archive, instance, uris) });
  }
  if (scope.length === 0) {
    // Instances without bulk data (e.g. structured reports): the resource exists but holds nothing, and
    // a multipart body needs at least one part (RFC 2046 §5.1.1). 204, as PS3.18 §8.3.4.4.1 answers an
    // empty search, rather than 404, which would say the study is unknown or out of reach.
    pending.recordAccess();
    return reply.code(204).send();
  }

  const plan = planBulkData(accept, scope);
  if (plan.leftOut.length > 0) reply.header('warning', leftOutWarning(plan.leftOut));
  const base = dicomwebBaseUrl(request, deps.publicUrl);
  async function* parts(): AsyncGenerator<MultipartWritePart> {
    for (const { instance, values } of plan.scope) {
      const object = await openBulkDataObject(deps.archive, instance);
      for (const value of values) {
        const make = () =>
          bulkDataPart(deps.archive, object, value.path, plan.negotiation, `${base}/${value.uri}`);
        const part = await partOrNone(value, make, request.log);
        if (part !== undefined) yield part;
      }
    }
  }
  // Recorded as the first part is ready: an object that cannot be opened first is an error, nothing sent.
  const sent = plan.scope.map((i) => i.instance);
  return sendMultipart(
    reply,
    plan.rootType,
    recordedOnFirstPart(parts(), () => pending.recordTransfer(sent)),
  );
}
