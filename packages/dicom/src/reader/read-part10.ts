import { DataSet } from '../data-set.js';
import { DicomParseError, ParseFailure } from '../parse-error.js';
import { lookupTransferSyntax, TransferSyntaxUid } from '../transfer-syntax.js';
import { isVr } from '../vr.js';
import { ByteSource } from './byte-source.js';
import { inflateRaw } from './inflate.js';
import { DataSetReader, type ReadOptions } from './read-data-set.js';

const TRANSFER_SYNTAX_UID = 0x00020010;
const PREAMBLE_LENGTH = 128;

/** Options of {@link readPart10}. */
export interface Part10ReadOptions extends ReadOptions {
  /**
   * Accept a bare data set without preamble and file meta information (some old files), detecting
   * implicit or explicit VR little endian. Default false: PS3.10 §7.1 requires the preamble.
   */
  allowMissingPreamble?: boolean;
}

/** A Part 10 object as read: its file meta information and its data set. */
export interface Part10Object {
  /** File Meta Information, group 0002 (PS3.10 §7.1); empty when the object had none. */
  meta: DataSet;
  /** The data set (elements of the stopAtTag and later absent when reading stopped early). */
  dataSet: DataSet;
  /** Transfer syntax of the data set. */
  transferSyntaxUid: string;
  /** True when the object had the 128-byte preamble and "DICM" prefix. */
  hasPreamble: boolean;
  /** Stream position of the first byte of the data set (after the meta group). */
  dataSetOffset: number;
  /** True when the data set was deflated: element offsets then refer to the inflated bytes. */
  deflated: boolean;
  /** Tag of the top-level element where reading stopped because of `stopAtTag`. */
  stoppedAt: number | undefined;
}

function asIterable(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array,
): AsyncIterator<Uint8Array> {
  if (source instanceof Uint8Array) {
    return (async function* () {
      yield source;
    })();
  }
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  const sync = source[Symbol.iterator]();
  return {
    next: async () => sync.next(),
  };
}

/**
 * Reads a DICOM Part 10 object (PS3.10 §7) from a stream of chunks, without buffering bulk data:
 * values above the threshold and pixel data are skipped with their offsets recorded, so a reader can
 * later fetch single frames by byte range. Consumes the whole stream unless `stopAtTag` is given.
 */
export async function readPart10(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array,
  options: Part10ReadOptions = {},
): Promise<Part10Object> {
  const src = new ByteSource(asIterable(source));
  const hasPreamble = await detectPreamble(src);
  let meta = new DataSet(true);
  let transferSyntaxUid: string;
  if (hasPreamble) {
    await src.skip(PREAMBLE_LENGTH + 4);
    meta = await readMeta(src);
    transferSyntaxUid = textOf(meta, TRANSFER_SYNTAX_UID) ?? '';
    if (transferSyntaxUid === '') transferSyntaxUid = await guessTransferSyntax(src);
  } else {
    if (!options.allowMissingPreamble || !(await looksLikeDataSet(src))) {
      throw new DicomParseError(
        ParseFailure.NotDicom,
        'no DICM prefix: not a DICOM Part 10 object',
        src.position,
      );
    }
    // A bare data set may still begin with file meta elements (written by some old toolkits).
    if (src.peekUint16(0, true) === 0x0002) meta = await readMeta(src);
    transferSyntaxUid = textOf(meta, TRANSFER_SYNTAX_UID) || (await guessTransferSyntax(src));
  }
  const syntax = lookupTransferSyntax(transferSyntaxUid);
  if (syntax === undefined) {
    throw new DicomParseError(
      ParseFailure.UnsupportedTransferSyntax,
      `unknown transfer syntax ${transferSyntaxUid}`,
      src.position,
    );
  }
  const dataSetOffset = src.position;
  const encoding = { explicitVr: syntax.explicitVr, littleEndian: syntax.littleEndian };
  const bodySource = syntax.deflated ? new ByteSource(inflateRaw(src.rest())[Symbol.asyncIterator]()) : src;
  const reader = new DataSetReader(bodySource, encoding, options);
  const dataSet = new DataSet(syntax.littleEndian);
  try {
    await reader.readTopLevel(dataSet);
  } catch (error) {
    if (syntax.deflated && !(error instanceof DicomParseError)) {
      throw new DicomParseError(
        ParseFailure.Malformed,
        `deflated data set cannot be inflated: ${String(error)}`,
        0,
      );
    }
    throw error;
  }
  return {
    meta,
    dataSet,
    transferSyntaxUid,
    hasPreamble,
    dataSetOffset,
    deflated: syntax.deflated,
    stoppedAt: reader.stoppedAt,
  };
}

async function detectPreamble(src: ByteSource): Promise<boolean> {
  if (!(await src.fill(PREAMBLE_LENGTH + 4))) return false;
  return (
    src.peekByte(128) === 0x44 &&
    src.peekByte(129) === 0x49 &&
    src.peekByte(130) === 0x43 &&
    src.peekByte(131) === 0x4d
  );
}

// PS3.10 §7.1: the meta group is always explicit VR little endian. Its group length is not trusted:
// elements are read up to the first tag outside group 0002 (the data set may start with a lower group,
// e.g. an illegal (0001,xxxx)), which copes with a wrong or missing (0002,0000).
async function readMeta(src: ByteSource): Promise<DataSet> {
  const meta = new DataSet(true);
  const reader = new DataSetReader(
    src,
    { explicitVr: true, littleEndian: true },
    {
      stopAtTag: 0x00030000,
      stopBelowTag: 0x00020000,
    },
  );
  await reader.readTopLevel(meta);
  return meta;
}

// A bare data set starts with a low group (0002-0010) in either byte order (explicit VR big endian too).
async function looksLikeDataSet(src: ByteSource): Promise<boolean> {
  if (!(await src.fill(8))) return false;
  const plausible = (group: number): boolean => group >= 0x0002 && group <= 0x0010;
  return plausible(src.peekUint16(0, true)) || plausible(src.peekUint16(0, false));
}

async function guessTransferSyntax(src: ByteSource): Promise<string> {
  if (!(await src.fill(6))) return TransferSyntaxUid.ImplicitVRLittleEndian;
  const vr = String.fromCharCode(src.peekByte(4), src.peekByte(5));
  if (!isVr(vr)) return TransferSyntaxUid.ImplicitVRLittleEndian;
  // The first group number is small: the byte order that reads it as the smaller number is the right one.
  return src.peekUint16(0, false) < src.peekUint16(0, true)
    ? TransferSyntaxUid.ExplicitVRBigEndian
    : TransferSyntaxUid.ExplicitVRLittleEndian;
}

function textOf(dataSet: DataSet, tag: number): string | undefined {
  const bytes = dataSet.get(tag)?.bytes;
  if (bytes === undefined) return undefined;
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s.trim();
}

/**
 * Reads a data set without File Meta Information, in a transfer syntax known from elsewhere (a DIMSE
 * presentation context): C-FIND identifiers, N-ACTION information. Values are read into memory.
 */
export async function readDataSetIn(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array,
  transferSyntaxUid: string,
): Promise<DataSet> {
  const syntax = lookupTransferSyntax(transferSyntaxUid);
  if (syntax === undefined) {
    throw new DicomParseError(
      ParseFailure.UnsupportedTransferSyntax,
      `unknown transfer syntax ${transferSyntaxUid}`,
      0,
    );
  }
  const src = new ByteSource(asIterable(source));
  const bodySource = syntax.deflated ? new ByteSource(inflateRaw(src.rest())[Symbol.asyncIterator]()) : src;
  const reader = new DataSetReader(
    bodySource,
    { explicitVr: syntax.explicitVr, littleEndian: syntax.littleEndian },
    { bulkDataThreshold: Number.MAX_SAFE_INTEGER, readPixelData: true },
  );
  return reader.readTopLevel();
}
