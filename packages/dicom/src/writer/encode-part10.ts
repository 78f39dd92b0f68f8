import { DataSet } from '../data-set.js';
import { encodeText } from '../charset/index.js';
import { lookupTransferSyntax } from '../transfer-syntax.js';
import { getString } from '../values/read-values.js';
import type { Vr } from '../vr.js';
import { encodeDataSet, encodedLength, isBulkReference, type EncodedChunk } from './encode-data-set.js';

/** Lightbox's Implementation Class UID (PS3.7 §D.3.3.2), a UUID-derived UID under 2.25 (PS3.5 §B.2). */
export const IMPLEMENTATION_CLASS_UID = '2.25.2176363127897490567681470191119441834';
/** Lightbox's Implementation Version Name (at most 16 characters). */
export const IMPLEMENTATION_VERSION_NAME = 'LIGHTBOX_0_1';

const SOP_CLASS_UID = 0x00080016;
const SOP_INSTANCE_UID = 0x00080018;

/** Options of {@link encodePart10}. */
export interface Part10WriteOptions {
  /** Transfer syntax of the data set to write. */
  transferSyntaxUid: string;
  /** Meta information of the source object: its Source AE Title and private meta elements are carried over. */
  sourceMeta?: DataSet;
}

function textElement(
  tag: number,
  vr: Vr,
  value: string,
): { tag: number; vr: Vr; length: number; offset: number; bytes: Uint8Array } {
  const bytes = encodeText(value, [], vr);
  return { tag, vr, length: bytes.length, offset: -1, bytes };
}

/** Builds File Meta Information (PS3.10 §7.1) for a data set written in the given transfer syntax. */
export function buildFileMeta(dataSet: DataSet, transferSyntaxUid: string, sourceMeta?: DataSet): DataSet {
  const meta = new DataSet(true);
  meta.set({ tag: 0x00020001, vr: 'OB', length: 2, offset: -1, bytes: Uint8Array.of(0, 1) });
  const sopClass =
    getString(dataSet, SOP_CLASS_UID) ?? (sourceMeta && getString(sourceMeta, 0x00020002)) ?? '';
  const sopInstance =
    getString(dataSet, SOP_INSTANCE_UID) ?? (sourceMeta && getString(sourceMeta, 0x00020003)) ?? '';
  meta.set(textElement(0x00020002, 'UI', sopClass));
  meta.set(textElement(0x00020003, 'UI', sopInstance));
  meta.set(textElement(0x00020010, 'UI', transferSyntaxUid));
  meta.set(textElement(0x00020012, 'UI', IMPLEMENTATION_CLASS_UID));
  meta.set(textElement(0x00020013, 'SH', IMPLEMENTATION_VERSION_NAME));
  if (sourceMeta !== undefined) {
    // Source AE Title and later meta elements (sending/receiving AE, private information) are kept.
    for (const element of sourceMeta.elements.values()) {
      // Group 0002 only: a meta built from DICOM JSON may carry a Specific Character Set of its own.
      if (element.tag >= 0x00020016 && element.tag <= 0x0002ffff && element.bytes !== undefined)
        meta.set(element);
    }
  }
  const groupLength = encodedLength(meta, { explicitVr: true, littleEndian: true });
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, groupLength, true);
  meta.set({ tag: 0x00020000, vr: 'UL', length: 4, offset: -1, bytes: value });
  return meta;
}

/** What the File Meta Information of a received data set records (PS3.10 §7.1). */
export interface Part10HeaderFields {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** Source Application Entity Title (0002,0016): the AE that sent the data set (DIMSE C-STORE). */
  sourceAeTitle?: string;
}

/**
 * The bytes that turn a received data set into a Part 10 file: preamble, "DICM" and the File Meta
 * Information. The data set follows as received, byte for byte (DIMSE C-STORE).
 */
export function encodePart10Header(fields: Part10HeaderFields): Uint8Array {
  const source = new DataSet(true);
  source.set(textElement(0x00020002, 'UI', fields.sopClassUid));
  source.set(textElement(0x00020003, 'UI', fields.sopInstanceUid));
  if (fields.sourceAeTitle !== undefined && fields.sourceAeTitle !== '') {
    source.set(textElement(0x00020016, 'AE', fields.sourceAeTitle));
  }
  const meta = buildFileMeta(new DataSet(true), fields.transferSyntaxUid, source);
  const chunks: Uint8Array[] = [new Uint8Array(132)];
  chunks[0]!.set([0x44, 0x49, 0x43, 0x4d], 128);
  for (const chunk of encodeDataSet(meta, { explicitVr: true, littleEndian: true })) {
    if (isBulkReference(chunk)) throw new Error('file meta values are always in memory');
    chunks.push(chunk);
  }
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Encodes a Part 10 object (PS3.10 §7.1): preamble, "DICM", freshly built meta information, and the
 * data set in the requested transfer syntax. Deflated output is not written.
 */
export function* encodePart10(dataSet: DataSet, options: Part10WriteOptions): Generator<EncodedChunk> {
  const syntax = lookupTransferSyntax(options.transferSyntaxUid);
  if (syntax === undefined || syntax.deflated) {
    throw new Error(`cannot write transfer syntax ${options.transferSyntaxUid}`);
  }
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  yield preamble;
  const meta = buildFileMeta(dataSet, options.transferSyntaxUid, options.sourceMeta);
  for (const chunk of encodeDataSet(meta, { explicitVr: true, littleEndian: true })) yield chunk;
  yield* encodeDataSet(dataSet, { explicitVr: syntax.explicitVr, littleEndian: syntax.littleEndian });
}

/** Encodes a data set held entirely in memory as one Part 10 byte array. */
export function writePart10(dataSet: DataSet, options: Part10WriteOptions): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (const chunk of encodePart10(dataSet, options)) {
    if (isBulkReference(chunk)) throw new Error('writePart10 needs every value in memory');
    chunks.push(chunk);
    total += chunk.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
