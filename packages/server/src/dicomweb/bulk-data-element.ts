import {
  BINARY_VALUE_SIZE,
  lookupTransferSyntax,
  parseHexTag,
  readPart10,
  type DataElement,
  type DataSet,
  type Fragment,
  type Part10Object,
  type Vr,
} from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import type { FrameInfo } from '../imaging/codecs/index.js';
import { decodeEncodedFrame } from '../imaging/decode-stored-frame.js';
import { ICON_MAX_ENCODED_BYTES, iconFrameInfo } from '../imaging/icon-frame.js';
import { concatFrameParts, readFrame, readRanges, STREAMED_FRAME_BYTES } from '../imaging/read-frame.js';
import { AppError, ErrorCode, isAppError } from '../shared/app-error.js';
import type { MultipartWritePart } from './multipart/index.js';
import { frameMediaType } from './retrieve-negotiation.js';

/**
 * An icon whose codestream did not decode (a corrupt one, found out only by decoding it): unlike a
 * storage failure, it can be left out of a body that carries other values.
 */
export class UndecodableIcon extends AppError {
  constructor(cause: unknown) {
    super(ErrorCode.ProcessingFailure, "an icon's stored codestream could not be decoded", undefined, {
      cause,
    });
  }
}

/** A stored object parsed for its bulk data: values are located by offset, not read (deflated ones excepted). */
export interface BulkDataObject {
  instance: StoredInstance;
  object: Part10Object;
}

/** A bulk data part, with the media type it goes out as (for the `type` of a multipart body). */
export interface BulkDataPart extends MultipartWritePart {
  partType: string;
}

/**
 * Chooses the transfer syntax of encapsulated pixel data from the one it is stored in: the stored one
 * (sent as its fragments) or one it is decoded to, which `decodable` false rules out (an icon whose item
 * does not allow it, see {@link iconDecoding}). May throw NotAcceptable.
 */
export type PixelTarget = (stored: string, decodable: boolean) => string;

/** What the client accepts, as a bulk data value needs it (PS3.18 §8.7.3): each may throw NotAcceptable. */
export interface BulkNegotiation {
  pixelTarget: PixelTarget;
  /** For a value that goes out uncompressed: `application/octet-stream`, little endian, must be accepted. */
  requireOctetStream(): void;
}

/** Parses a stored object, its stream read only as far as `options` ask and closed whatever happens. */
async function parseStored(
  archive: Archive,
  instance: StoredInstance,
  options?: Parameters<typeof readPart10>[1],
): Promise<Part10Object> {
  const stream = await archive.openObject(instance);
  try {
    return await readPart10(stream, options);
  } finally {
    stream.destroy(); // a parse error, or a stop tag, leaves the stream unread: release its file handle
  }
}

/**
 * Parses a stored object for its bulk data. Nothing stays open once it returns: the object's stream is
 * read to its end (bulk values skipped) and closed; each part opens its own byte range when it is sent.
 */
export async function openBulkDataObject(
  archive: Archive,
  instance: StoredInstance,
): Promise<BulkDataObject> {
  let object = await parseStored(archive, instance);
  if (object.deflated) {
    // Offsets of a deflated object refer to the inflated bytes: read its values into memory instead.
    object = await parseStored(archive, instance, { readPixelData: true, bulkDataThreshold: Infinity });
  }
  return { instance, object };
}

/**
 * The elements at these paths of a stored object, each in an item of a top-level sequence (an icon's
 * pixel data), as {@link bulkDataPart} will find them: the object is read only as far as the last of
 * those sequences, which come before its own Pixel Data, and no value is read.
 */
export async function readItemElements(
  archive: Archive,
  instance: StoredInstance,
  paths: readonly (readonly string[])[],
): Promise<(FoundElement | undefined)[]> {
  const stopAtTag = Math.max(...paths.map((path) => parseHexTag(path[0]!) ?? 0)) + 1;
  const object = await parseStored(archive, instance, { stopAtTag });
  return paths.map((path) => findElement(object.dataSet, path));
}

/** Splits the path of a BulkDataURI after `bulkdata/` (`<tag>[/<item>/<tag>…]`); 400 when malformed. */
export function bulkDataPathOf(text: string): string[] {
  const path = text.split('/').filter((p) => p !== '');
  if (path.length === 0 || path.length % 2 === 0) {
    throw new AppError(
      ErrorCode.InvalidParameter,
      'bulkdata: expected <tag> or <sequence tag>/<item>/<tag>',
      'bulkdata',
    );
  }
  return path;
}

/** An element at a BulkDataURI's path, and the data set (the object's, or an item's) that holds it. */
export interface FoundElement {
  element: DataElement;
  holder: DataSet;
}

function findElement(dataSet: DataSet, path: readonly string[]): FoundElement | undefined {
  let current: DataSet | undefined = dataSet;
  for (let i = 0; i < path.length; i += 2) {
    const tag = parseHexTag(path[i]!);
    if (tag === undefined || current === undefined) return undefined;
    const element = current.get(tag);
    if (i === path.length - 1) return element === undefined ? undefined : { element, holder: current };
    // An item number as the metadata writes it (digits only): `0%0A` is no item.
    const item = path[i + 1] ?? '';
    current = /^\d{1,9}$/.test(item) ? element?.items?.[Number(item)] : undefined;
  }
  return undefined;
}

/**
 * Whether an icon's encapsulated pixel data (PS3.3 F.7) is decoded here: its item's Image Pixel
 * Description, or why not. Decided from the item and the fragments' lengths, before any byte is read:
 * an item can claim gigabytes.
 */
export function iconDecoding(element: DataElement, item: DataSet): FrameInfo | string {
  const info = iconFrameInfo(item);
  if (typeof info === 'string') return info;
  let length = 0;
  for (const fragment of element.encapsulated?.fragments ?? []) length += fragment.length;
  if (length > ICON_MAX_ENCODED_BYTES)
    return `the icon's fragments hold ${length} bytes, more than the ${ICON_MAX_ENCODED_BYTES} decoded here`;
  return info;
}

/** A fragment's bytes: held with the parsed object, or read from the stored one by its range. */
async function fragmentBytes(archive: Archive, instance: StoredInstance, f: Fragment): Promise<Uint8Array> {
  return f.bytes ?? archive.readObjectRange(instance, { offset: f.offset, length: f.length });
}

/** The fragments of an icon, read one after the other and concatenated: its one frame. */
async function readFragments(
  archive: Archive,
  instance: StoredInstance,
  fragments: readonly Fragment[],
): Promise<Uint8Array> {
  const bytes: Uint8Array[] = [];
  for (const f of fragments) bytes.push(await fragmentBytes(archive, instance, f));
  return concatFrameParts(bytes);
}

/**
 * The syntax encapsulated pixel data goes out in: an icon's is decoded only as {@link iconDecoding}
 * allows (the frame index describes the object's own Pixel Data only), so a client that accepts nothing
 * else than a decoded icon is told why it is not.
 */
function targetOf(pixelTarget: PixelTarget, stored: string, icon: FrameInfo | string | undefined): string {
  if (typeof icon !== 'string') return pixelTarget(stored, true);
  try {
    return pixelTarget(stored, false);
  } catch (error) {
    if (!isAppError(error) || error.code !== ErrorCode.NotAcceptable) throw error;
    throw new AppError(ErrorCode.NotAcceptable, `${icon}; ${error.message}`);
  }
}

/**
 * Encapsulated pixel data as a part: its fragments in the stored syntax, or decoded to the one
 * `pixelTarget` asks for, the object's frame by frame, an icon (`inItem`) as its one frame.
 */
async function encapsulatedPart(
  archive: Archive,
  { instance, object }: BulkDataObject,
  { element, holder }: FoundElement,
  inItem: boolean,
  pixelTarget: PixelTarget,
  headers: Record<string, string>,
): Promise<BulkDataPart> {
  const stored = object.transferSyntaxUid;
  const icon = inItem ? iconDecoding(element, holder) : undefined;
  const target = targetOf(pixelTarget, stored, icon);
  const fragments = element.encapsulated?.fragments ?? [];
  if (target === stored) {
    const partType = frameMediaType(stored);
    const body = (async function* () {
      for (const f of fragments) {
        // A large fragment (a video stream stored as one) is streamed from storage, not held whole.
        if (f.bytes === undefined && f.length > STREAMED_FRAME_BYTES)
          yield* readRanges(archive, instance, [[f.offset, f.length]]);
        else yield await fragmentBytes(archive, instance, f);
      }
    })();
    return { partType, contentType: `${partType}; transfer-syntax=${stored}`, headers, body };
  }
  const partType = 'application/octet-stream';
  const contentType = `${partType}; transfer-syntax=${target}`;
  if (icon !== undefined) {
    // An icon is decoded only by a description that allows it, never through the frame index.
    if (typeof icon === 'string') throw new AppError(ErrorCode.NotAcceptable, icon);
    const encoded = await readFragments(archive, instance, fragments);
    const body = await decodeEncodedFrame(stored, encoded, icon).then(
      (frame) => frame.pixels,
      (error: unknown) => {
        throw new UndecodableIcon(error);
      },
    );
    return { partType, contentType, headers, body };
  }
  const frames = instance.frameIndex?.frames.length ?? 1;
  // The first frame is decoded before the part is made: a stored codestream that does not decode fails
  // the request with its status, rather than a 200 cut short.
  const first = (await readFrame(archive, instance, 0, target)).pixels;
  const body = (async function* () {
    yield first;
    for (let i = 1; i < frames; i++) yield (await readFrame(archive, instance, i, target)).pixels;
  })();
  return { partType, contentType, headers, body };
}

/**
 * One bulk data element of a parsed object as a multipart part with `Content-Location: location`
 * (PS3.18 §10.4.1.1.5), as GET on its BulkDataURI answers it: `application/octet-stream`, little endian,
 * when the client accepts it (else NotAcceptable, before anything is opened);
 * encapsulated pixel data, the object's or an icon's in an item (encapsulated alike, PS3.5 §A.4), as its
 * fragments in the stored syntax with that syntax's media type, or decoded when `pixelTarget` asks for
 * another syntax (PS3.18 §8.7.3.3, §8.7.8): the object's frame by frame, an icon as its one frame.
 * NotFound when the object has no such element. The body is opened lazily and released by the
 * multipart writer when the part is never sent; an icon is decoded, when {@link iconDecoding} allows it,
 * before the part is returned.
 */
export async function bulkDataPart(
  archive: Archive,
  bulk: BulkDataObject,
  path: readonly string[],
  { pixelTarget, requireOctetStream }: BulkNegotiation,
  location: string,
): Promise<BulkDataPart> {
  const { instance, object } = bulk;
  const found = findElement(object.dataSet, path);
  if (found === undefined) throw new AppError(ErrorCode.NotFound, `no bulk data at ${path.join('/')}`);
  const { element } = found;
  const headers = { 'Content-Location': location };
  if (element.encapsulated !== undefined) {
    return encapsulatedPart(archive, bulk, found, path.length > 1, pixelTarget, headers);
  }
  requireOctetStream();
  let body: AsyncIterable<Uint8Array> | Uint8Array;
  if (element.bytes !== undefined) {
    body = element.bytes;
  } else if (!object.deflated && element.offset >= 0) {
    body = await archive.openObject(instance, { offset: element.offset, length: element.length });
  } else {
    throw new AppError(
      ErrorCode.NotFound,
      `bulk data at ${path.join('/')} cannot be located in the stored object`,
    );
  }
  if (lookupTransferSyntax(object.transferSyntaxUid)?.littleEndian === false) {
    // Big endian objects: binary values go out little endian, like the rest of DICOMweb.
    body = await swapToLittleEndian(body, element.vr);
  }
  const partType = 'application/octet-stream';
  return { partType, contentType: partType, headers, body };
}

async function swapToLittleEndian(body: AsyncIterable<Uint8Array> | Uint8Array, vr: Vr): Promise<Uint8Array> {
  const unit = BINARY_VALUE_SIZE[vr] ?? 1;
  const chunks: Uint8Array[] = [];
  if (body instanceof Uint8Array) chunks.push(body);
  else for await (const chunk of body) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  for (let i = 0; i + unit <= bytes.length; i += unit) bytes.subarray(i, i + unit).reverse();
  return bytes;
}
