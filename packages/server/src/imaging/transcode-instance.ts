import {
  DataSet,
  encodeDataSet,
  encodePart10,
  isBulkReference,
  lookupTransferSyntax,
  readPart10,
  Tag,
  TransferSyntaxUid,
  type BulkReference,
  type DataElement,
  type EncodedChunk,
  type Part10Object,
} from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import { correctDataSet } from '../archive/correct-data-set.js';
import type { StoredInstance } from '../archive/index-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { canDecode, frameByteLength } from './codecs/index.js';
import { InflatedValues } from './inflated-values.js';
import { readFrame } from './read-frame.js';

/** Native transfer syntaxes a stored object can be rewritten to. */
const NATIVE_TARGETS: ReadonlySet<string> = new Set([
  TransferSyntaxUid.ExplicitVRLittleEndian,
  TransferSyntaxUid.ImplicitVRLittleEndian,
]);

const SLICE = 1024 * 1024;
const ICON_IMAGE_SEQUENCE = 0x00880200;

/**
 * True when an object stored in `stored` can be served in `target` ('*' means as stored): as stored,
 * between native syntaxes, inflated (Deflated Explicit VR Little Endian) or decompressed to a native
 * little-endian syntax when a codec exists. Deflate is never written: our encoder does not produce it.
 */
export function canServeAs(stored: string, target: string): boolean {
  if (target === '*' || target === stored) return true;
  const source = lookupTransferSyntax(stored);
  if (source === undefined || !NATIVE_TARGETS.has(target)) return false;
  // The JPIP referenced deflate syntaxes point at pixels elsewhere: inflated, they would lose them.
  if (source.deflated) return stored === TransferSyntaxUid.DeflatedExplicitVRLittleEndian;
  return !source.encapsulated || canDecode(stored);
}

function swapInPlace(bytes: Uint8Array, unit: number): void {
  for (let i = 0; i + unit <= bytes.length; i += unit) {
    for (let a = i, b = i + unit - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

async function* readBulk(
  archive: Archive,
  instance: StoredInstance,
  ref: BulkReference,
): AsyncGenerator<Uint8Array> {
  const step = SLICE - (SLICE % ref.swapUnit);
  for (let done = 0; done < ref.length; done += step) {
    const bytes = await archive.readObjectRange(instance, {
      offset: ref.offset + done,
      length: Math.min(step, ref.length - done),
    });
    if (ref.swapUnit > 1) swapInPlace(bytes, ref.swapUnit);
    yield bytes;
  }
}

async function* resolve(
  archive: Archive,
  instance: StoredInstance,
  chunks: Iterable<EncodedChunk>,
): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    if (isBulkReference(chunk)) yield* readBulk(archive, instance, chunk);
    else yield chunk;
  }
}

/** {@link resolve} for a deflated object: its values are read from the inflated data set, in order. */
async function* resolveInflated(
  archive: Archive,
  instance: StoredInstance,
  object: Part10Object,
  chunks: Iterable<EncodedChunk>,
): AsyncGenerator<Uint8Array> {
  const values = new InflatedValues(archive, instance, object.dataSetOffset);
  try {
    for (const chunk of chunks) {
      if (isBulkReference(chunk)) yield* values.read(chunk);
      else yield chunk;
    }
  } finally {
    await values.close(); // also when the output stops halfway
  }
}

function textElement(tag: number, vr: 'CS' | 'US', value: string | number): DataElement {
  const bytes =
    typeof value === 'number'
      ? Uint8Array.of(value & 0xff, value >> 8)
      : new TextEncoder().encode(value.length % 2 ? `${value} ` : value);
  return { tag, vr, length: bytes.length, offset: -1, bytes };
}

/**
 * Decompresses an encapsulated object to a native little-endian syntax, streaming: the header is written
 * with the photometric interpretation the decoder produced (e.g. YBR_FULL_422 JPEG → RGB), then each
 * frame is decoded (in a worker thread) and written in turn; only one decoded frame is in memory. The
 * first frame is decoded before the body is returned, so that a stored codestream that does not decode
 * fails the request with an error status instead of cutting a 200 answer short.
 */
async function decompressed(
  archive: Archive,
  instance: StoredInstance,
  object: Part10Object,
  target: string,
): Promise<AsyncGenerator<Uint8Array>> {
  const index = instance.frameIndex;
  if (index === null)
    throw new AppError(ErrorCode.NotAcceptable, `the frames of ${instance.sopInstanceUid} cannot be located`);
  const first = await readFrame(archive, instance, 0, target);
  return decompressedBody(archive, instance, object, target, first);
}

async function* decompressedBody(
  archive: Archive,
  instance: StoredInstance,
  object: Part10Object,
  target: string,
  first: Awaited<ReturnType<typeof readFrame>>,
): AsyncGenerator<Uint8Array> {
  const index = instance.frameIndex!;
  const syntax = lookupTransferSyntax(target)!;
  const encoding = { explicitVr: syntax.explicitVr, littleEndian: true };
  const head = new DataSet(object.dataSet.littleEndian);
  const tail = new DataSet(object.dataSet.littleEndian);
  for (const element of object.dataSet.elements.values()) {
    if (element.tag < Tag.PixelData) head.set(element);
    else if (element.tag > Tag.PixelData) tail.set(element);
  }
  // The offset tables describe the compressed fragments; they mean nothing once decompressed. An icon
  // compressed like the image would make the output invalid: it is left out (PS3.3 C.7.6.1.1.6 makes
  // the Icon Image Sequence optional).
  head.delete(0x7fe00001);
  head.delete(0x7fe00002);
  if (
    head.get(ICON_IMAGE_SEQUENCE)?.items?.some((item) => item.get(Tag.PixelData)?.encapsulated !== undefined)
  ) {
    head.delete(ICON_IMAGE_SEQUENCE);
  }
  const pixel = index.pixel;
  if (pixel.samplesPerPixel === 3) {
    head.set(textElement(Tag.PhotometricInterpretation, 'CS', first.photometricInterpretation));
    head.set(textElement(Tag.PlanarConfiguration, 'US', 0));
  }
  yield* resolve(
    archive,
    instance,
    encodePart10(head, { transferSyntaxUid: target, sourceMeta: object.meta }),
  );
  const frameBytes = frameByteLength(pixel);
  const total = frameBytes * index.frames.length;
  const vr = pixel.bitsAllocated > 8 ? 'OW' : 'OB';
  const header = new Uint8Array(encoding.explicitVr ? 12 : 8);
  const view = new DataView(header.buffer);
  view.setUint16(0, 0x7fe0, true);
  view.setUint16(2, 0x0010, true);
  if (encoding.explicitVr) {
    header[4] = vr.charCodeAt(0);
    header[5] = vr.charCodeAt(1);
    view.setUint32(8, total + (total % 2), true);
  } else {
    view.setUint32(4, total + (total % 2), true);
  }
  yield header;
  for (let i = 0; i < index.frames.length; i++) {
    const frame = i === 0 ? first.pixels : (await readFrame(archive, instance, i, target)).pixels;
    if (frame.length !== frameBytes) {
      throw new AppError(
        ErrorCode.ProcessingFailure,
        `frame ${i + 1} decoded to ${frame.length} bytes, ${frameBytes} expected`,
      );
    }
    yield frame;
  }
  if (total % 2 === 1) yield new Uint8Array(1);
  yield* resolve(archive, instance, encodeDataSet(tail, encoding));
}

/**
 * Streams a stored object in the requested transfer syntax. As stored: the bytes exactly as received.
 * Between native syntaxes: the header is parsed and written again, and the pixel data copied from
 * storage in slices (byte-swapped when the byte order changes); from a deflated object, copied from a
 * second inflation of it. Compressed to native: decoded frame by
 * frame. Never the whole object in memory. An instance whose study changed since it was stored (its
 * `correction`) always has its header written again, with the current values.
 */
export async function transcodeInstance(
  archive: Archive,
  instance: StoredInstance,
  requested: string,
): Promise<{ transferSyntaxUid: string; body: AsyncIterable<Uint8Array> }> {
  const asStored = requested === '*' || requested === instance.transferSyntaxUid;
  // Deflate is not written (only inflated): a deflated object asked for as stored goes as stored.
  const correctable = !(lookupTransferSyntax(instance.transferSyntaxUid)?.deflated ?? true);
  if (asStored && (instance.correction === undefined || !correctable)) {
    return { transferSyntaxUid: instance.transferSyntaxUid, body: await archive.openObject(instance) };
  }
  const target = asStored ? instance.transferSyntaxUid : requested;
  if (!asStored && !canServeAs(instance.transferSyntaxUid, target)) {
    throw new AppError(
      ErrorCode.NotAcceptable,
      `instance ${instance.sopInstanceUid} is stored as ${instance.transferSyntaxUid} and cannot be converted to ${target}`,
    );
  }
  const object = await readPart10(await archive.openObject(instance));
  if (instance.correction !== undefined) correctDataSet(object.dataSet, instance.correction);
  const source = lookupTransferSyntax(instance.transferSyntaxUid)!;
  const encoded = () => encodePart10(object.dataSet, { transferSyntaxUid: target, sourceMeta: object.meta });
  const body =
    source.encapsulated && target !== instance.transferSyntaxUid
      ? await decompressed(archive, instance, object, target)
      : object.deflated
        ? resolveInflated(archive, instance, object, encoded())
        : resolve(archive, instance, encoded());
  return { transferSyntaxUid: target, body };
}
