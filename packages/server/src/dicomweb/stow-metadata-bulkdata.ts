import type { Archive } from '../archive/archive.js';
import type { StoreOutcome } from '../archive/store-instance.js';
import type { Actor } from '../security/actor.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import type { MultipartPart } from './multipart/index.js';
import { BulkParts, partMediaType, readWhole } from './stow-bulk-parts.js';
import { assembleInstance } from './stow-metadata.js';

/** Most bytes of DICOM JSON metadata in one request: 16 MiB (thousands of instances' worth). */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;

/**
 * Most bytes of bulk data held in memory for one request: 256 MiB (a laptop's archive must survive a
 * few such requests at once). The parts are buffered because an
 * instance can only be assembled once every part it refers to has arrived, in whatever order they
 * come; they are not spooled to disk, where they would lie unencrypted beside an archive that encrypts
 * at rest. Larger objects go as application/dicom, which is streamed.
 */
export const MAX_BULK_BYTES = 256 * 1024 * 1024;

/** Most instances in one request, and most bulk data parts: each costs memory beyond its bytes. */
export const MAX_INSTANCES = 10_000;
export const MAX_BULK_PARTS = 10_000;
/** Longest Content-Location or Content-ID of a bulk part (it is kept, resolved, as a lookup key). */
const LONGEST_PART_NAME = 2048;
/** What a bulk part costs beyond its bytes: its names (kept under a few keys) and bookkeeping. */
const PART_OVERHEAD = 1024;

/** What a metadata and bulk data request needs. */
export interface MetadataStowOptions {
  archive: Archive;
  actor: Actor;
  /** The `{study}` of the request, which every instance must belong to. */
  studyUid?: string;
  /** The request URL as the client may have written it, for resolving relative BulkDataURIs. */
  requestUrls: readonly string[];
  maxMetadataBytes?: number;
  maxBulkBytes?: number;
  /**
   * Most bytes the request may store in all (the STOW limit): one bulk part referred to by many
   * instances or attributes is written once per reference, so the objects built are counted too.
   */
  maxStoredBytes?: number;
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/dicom+json' || mediaType === 'application/json';
}

/** The instances of a metadata part: a DICOM JSON array (PS3.18 Annex F), or one object as some clients send. */
function parseMetadata(bytes: Buffer): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    // JSON.parse's message may quote the text: it is not repeated to the client.
    throw new AppError(ErrorCode.BadRequest, 'the metadata part is not valid JSON');
  }
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return [value];
  throw new AppError(ErrorCode.BadRequest, 'the metadata part is not a DICOM JSON array of instances');
}

async function* streamOf(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/**
 * STOW-RS with separate metadata and bulk data (PS3.18 §10.5.1.4, JSON): the first part is a DICOM JSON
 * array of instances; every later part is bulk data, named by a Content-Location (or Content-ID) that a
 * BulkDataURI of the metadata refers to. All parts are read first (metadata up to `maxMetadataBytes`,
 * bulk data up to `maxBulkBytes` in all, else 413), then each instance is assembled into a Part 10
 * object and stored through `archive.storeInstance`, exactly as an application/dicom part is: an
 * instance that cannot be assembled fails alone. Outcomes are appended to `outcomes`; returns warnings
 * for the response. A body that is not JSON where the metadata should be is a 400.
 */
export async function storeMetadataAndBulkData(
  parts: AsyncIterable<MultipartPart>,
  options: MetadataStowOptions,
  outcomes: StoreOutcome[],
): Promise<string[]> {
  const maxMetadata = options.maxMetadataBytes ?? MAX_METADATA_BYTES;
  const maxBulk = options.maxBulkBytes ?? MAX_BULK_BYTES;
  const bulk = new BulkParts(options.requestUrls);
  let instances: unknown[] | undefined;
  let metadataTransferSyntax: string | undefined;
  let metadataBytes = 0;
  let bulkBytes = 0;
  let bulkParts = 0;
  for await (const part of parts) {
    const { mediaType, transferSyntax } = partMediaType(part);
    const location = part.headers.get('content-location');
    const contentId = part.headers.get('content-id');
    // The first part is the metadata; later JSON parts that name no location are more of it (clients
    // that send one part per instance, as the XML form does).
    const metadata =
      instances === undefined
        ? part.contentType === undefined || isJson(mediaType)
        : isJson(mediaType) && location === undefined && contentId === undefined;
    if (instances === undefined && !metadata) {
      throw new AppError(
        ErrorCode.BadRequest,
        `the first part must be the DICOM JSON metadata (application/dicom+json), not ${mediaType}`,
      );
    }
    if (metadata) {
      const bytes = await readWhole(
        part.body,
        maxMetadata - metadataBytes,
        `the metadata exceeds the limit of ${maxMetadata} bytes`,
      );
      metadataBytes += bytes.length;
      if (instances === undefined) metadataTransferSyntax = transferSyntax;
      instances ??= [];
      for (const instance of parseMetadata(bytes)) {
        if (instances.length >= MAX_INSTANCES)
          throw new AppError(
            ErrorCode.PayloadTooLarge,
            `a metadata and bulk data request holds at most ${MAX_INSTANCES} instances`,
          );
        instances.push(instance);
      }
      continue;
    }
    if ((location?.length ?? 0) > LONGEST_PART_NAME || (contentId?.length ?? 0) > LONGEST_PART_NAME)
      throw new AppError(
        ErrorCode.BadRequest,
        `a bulk part's Content-Location or Content-ID is longer than ${LONGEST_PART_NAME} characters`,
      );
    if (++bulkParts > MAX_BULK_PARTS)
      throw new AppError(
        ErrorCode.PayloadTooLarge,
        `a metadata and bulk data request holds at most ${MAX_BULK_PARTS} bulk parts`,
      );
    // The part's names are kept (resolved under each base URL) beside its bytes: they count too.
    bulkBytes += PART_OVERHEAD + 4 * ((location?.length ?? 0) + (contentId?.length ?? 0));
    if (bulkBytes > maxBulk)
      throw new AppError(
        ErrorCode.PayloadTooLarge,
        `the bulk data exceeds the ${maxBulk} bytes a metadata and bulk data request may hold in memory`,
      );
    const bytes = await readWhole(
      part.body,
      maxBulk - bulkBytes,
      `the bulk data exceeds the ${maxBulk} bytes a metadata and bulk data request may hold in memory; ` +
        'send larger objects as application/dicom',
    );
    bulkBytes += bytes.length;
    bulk.add(
      { mediaType, ...(transferSyntax === undefined ? {} : { transferSyntax }), bytes },
      location,
      contentId,
    );
  }
  if (instances === undefined) throw new AppError(ErrorCode.BadRequest, 'the request holds no metadata part');

  const source = { find: (uri: string) => bulk.find(uri), metadataTransferSyntax };
  const storeOptions = options.studyUid === undefined ? {} : { expectedStudyUid: options.studyUid };
  let stored = 0;
  for (const [i, json] of instances.entries()) {
    // Instances that fail at once never wait on anything: let other requests in now and then.
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    const assembled = assembleInstance(json, source);
    if (!assembled.ok) {
      const { ok: _ok, ...failure } = assembled;
      outcomes.push({ ok: false, ...failure });
      continue;
    }
    // Encoded once, then counted against the limit and stored.
    const chunks = [...assembled.part10()];
    for (const chunk of chunks) stored += chunk.length;
    if (options.maxStoredBytes !== undefined && stored > options.maxStoredBytes) {
      outcomes.push({
        ok: false,
        sopClassUid: assembled.sopClassUid,
        sopInstanceUid: assembled.sopInstanceUid,
        error: new AppError(
          ErrorCode.PayloadTooLarge,
          `the objects built from this request exceed the STOW limit of ${options.maxStoredBytes} bytes`,
        ),
      });
      continue;
    }
    outcomes.push(await options.archive.storeInstance(streamOf(chunks), options.actor, storeOptions));
  }
  const unreferenced = bulk.unreferenced();
  return unreferenced === 0
    ? []
    : [`${unreferenced} bulk data part(s) matched no BulkDataURI of the metadata and were ignored`];
}
