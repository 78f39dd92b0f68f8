import type { Readable } from 'node:stream';
import { lookupTransferSyntax, readPart10, frameRanges } from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { decodeStoredFrame } from './decode-stored-frame.js';

async function rangesOf(archive: Archive, instance: StoredInstance, index: number): Promise<Uint8Array[]> {
  const indexed = instance.frameIndex?.frames[index];
  if (indexed !== undefined && indexed.length > 0) {
    return Promise.all(
      indexed.map(([offset, length]) => archive.readObjectRange(instance, { offset, length })),
    );
  }
  // No frame index: no pixel data, fragments that cannot be told apart, or more frames than are indexed.
  // Reading the object again would find the same (and hold all of its pixel data to do so).
  if (instance.frameIndex === null && !lookupTransferSyntax(instance.transferSyntaxUid)?.deflated) {
    throw new AppError(
      ErrorCode.NotFound,
      `frame ${index + 1} of instance ${instance.sopInstanceUid} cannot be located`,
    );
  }
  // No ranges (a deflated object's offsets are in the inflated stream): read the pixel data into memory.
  const object = await readPart10(await archive.openObject(instance), { readPixelData: true });
  const pixelData = object.dataSet.get(0x7fe00010);
  const ranges = frameRanges(object.dataSet, instance.transferSyntaxUid);
  const frame = ranges?.frames[index];
  if (pixelData === undefined || frame === undefined) {
    throw new AppError(
      ErrorCode.NotFound,
      `frame ${index + 1} of instance ${instance.sopInstanceUid} cannot be located`,
    );
  }
  if (pixelData.encapsulated !== undefined) {
    const fragments = pixelData.encapsulated.fragments;
    return frame.map((r) => fragments.find((f) => f.offset === r.offset)!.bytes!);
  }
  const start = frame[0]!.offset - pixelData.offset;
  return [pixelData.bytes!.subarray(start, start + frame[0]!.length)];
}

/** A frame's parts (its fragments) as one buffer, copied only when there are several. */
export function concatFrameParts(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Frames sent as stored that are larger than this (a video stream is one frame of often hundreds of MB)
 * go out as they are read from storage; smaller ones are read whole, one positioned read per fragment
 * being faster than a stream.
 */
export const STREAMED_FRAME_BYTES = 8 * 1024 * 1024;

/**
 * One frame of a stored instance as it goes out in the `target` syntax: as {@link readFrame} gives its
 * bytes, except a frame sent as stored whose indexed fragments hold more than
 * {@link STREAMED_FRAME_BYTES}, which is streamed from storage fragment by fragment (see
 * {@link streamRanges}) so that memory stays bounded by a stream's chunk, whatever the frame's size.
 */
export async function frameBody(
  archive: Archive,
  instance: StoredInstance,
  index: number,
  target: string,
): Promise<Uint8Array | AsyncGenerator<Uint8Array, void>> {
  const asStored = target === '*' || target === instance.transferSyntaxUid;
  const ranges = instance.frameIndex?.frames[index] ?? [];
  const size = ranges.reduce((total, [, length]) => total + length, 0);
  if (!asStored || size <= STREAMED_FRAME_BYTES)
    return (await readFrame(archive, instance, index, target)).pixels;
  return streamRanges(archive, instance, ranges);
}

/**
 * {@link readRanges} with its first range opened before this returns, so that a missing or unreadable
 * object fails the request rather than a body already under way. The multipart writer returns the
 * generator when it does not send it, or stops reading it (a client gone), which closes that range.
 */
async function streamRanges(
  archive: Archive,
  instance: StoredInstance,
  ranges: readonly (readonly [number, number])[],
): Promise<AsyncGenerator<Uint8Array, void>> {
  const body = readRanges(archive, instance, ranges);
  await body.next(); // runs to the first range opened (it yields nothing of it)
  return body;
}

const OPENED = new Uint8Array(0);

/**
 * Byte ranges of a stored object streamed one after the other, each opened once the one before it is
 * read: the memory held is a stream's chunk, whatever the ranges' sizes. An empty chunk comes first, once
 * the first range is open (pulling it opens the object ahead of sending; the multipart writer skips it).
 * Returning the generator destroys the open stream. ProcessingFailure when the object ends before a range.
 */
export async function* readRanges(
  archive: Archive,
  instance: StoredInstance,
  ranges: readonly (readonly [number, number])[],
): AsyncGenerator<Uint8Array, void> {
  for (const [i, [offset, length]] of ranges.entries()) {
    // An empty fragment holds nothing to read (and a file stream refuses an empty range).
    if (length === 0) {
      if (i === 0) yield OPENED;
      continue;
    }
    const stream: Readable = await archive.openObject(instance, { offset, length });
    try {
      if (i === 0) yield OPENED;
      let read = 0;
      for await (const chunk of stream as AsyncIterable<Uint8Array>) {
        read += chunk.length;
        yield chunk;
      }
      // A range stream ends early, without error, at the end of a truncated object.
      if (read !== length)
        throw new AppError(ErrorCode.ProcessingFailure, 'stored object is shorter than its index says');
    } finally {
      stream.destroy();
    }
  }
}

/** A frame's bytes and the photometric interpretation they are in. */
export interface FrameData {
  pixels: Uint8Array;
  /** Differs from the stored one when decoding changed it (e.g. YBR_FULL_422 JPEG → RGB). */
  photometricInterpretation: string;
}

/**
 * One frame of a stored instance, by byte range through the frame index: as stored when `target` is
 * the stored syntax, else native little-endian pixels (byte-swapped from big endian, or decoded from a
 * compressed syntax in a worker thread).
 */
export async function readFrame(
  archive: Archive,
  instance: StoredInstance,
  index: number,
  target: string,
): Promise<FrameData> {
  const bytes = concatFrameParts(await rangesOf(archive, instance, index));
  const photometricInterpretation = instance.frameIndex?.pixel.photometricInterpretation ?? 'MONOCHROME2';
  if (target === '*' || target === instance.transferSyntaxUid)
    return { pixels: bytes, photometricInterpretation };
  const stored = lookupTransferSyntax(instance.transferSyntaxUid);
  if (stored !== undefined && !stored.encapsulated) {
    const bits = instance.frameIndex?.pixel.bitsAllocated ?? instance.bitsAllocated ?? 8;
    if (!stored.littleEndian && bits > 8) {
      const unit = bits / 8;
      const out = Buffer.from(bytes);
      for (let i = 0; i + unit <= out.length; i += unit) out.subarray(i, i + unit).reverse();
      return { pixels: out, photometricInterpretation };
    }
    return { pixels: bytes, photometricInterpretation };
  }
  const decoded = await decodeStoredFrame(instance, bytes);
  return { pixels: decoded.pixels, photometricInterpretation: decoded.photometricInterpretation };
}
