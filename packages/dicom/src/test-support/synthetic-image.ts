/**
 * Synthetic image objects for tests: a CT slice (or a multi-frame secondary capture) with chosen
 * identifiers, character set, transfer syntax and pixel values, encoded by the separate test encoder
 * (`encode.ts`) so that the library's reader and writer are checked against code they do not share.
 */
import type { DataElement, Fragment } from '../data-set.js';
import { Tag } from '../dictionary/index.js';
import { lookupTransferSyntax, TransferSyntaxUid } from '../transfer-syntax.js';
import { generateUid } from '../uid/generate-uid.js';
import { numberElement, tagElement, textElement } from './elements.js';
import {
  ByteWriter,
  concatBytes,
  deflateStored,
  encodeTestDataSet,
  encodeTestFileMeta,
  part10Preamble,
  swapBytes,
  writeHeader,
  type TestEncoding,
} from './encode.js';
import { rleEncodeFrame } from './rle.js';

/** SOP Class UIDs the builder picks by default. */
export const SyntheticSopClass = {
  CTImage: '1.2.840.10008.5.1.4.1.1.2',
  MultiFrameGrayscaleByteSC: '1.2.840.10008.5.1.4.1.1.7.2',
  MultiFrameGrayscaleWordSC: '1.2.840.10008.5.1.4.1.1.7.3',
  MultiFrameTrueColorSC: '1.2.840.10008.5.1.4.1.1.7.4',
} as const;

/** What {@link syntheticImage} builds; every field is optional. */
export interface SyntheticImageOptions {
  /** Default Explicit VR Little Endian. Encapsulated syntaxes get one item per fragment (see below). */
  transferSyntaxUid?: string;
  rows?: number;
  columns?: number;
  /** 8, 16 or 32 (32 only in little endian). Default 16. */
  bitsAllocated?: 8 | 16 | 32;
  /** Default 12 for 16-bit, else bitsAllocated. */
  bitsStored?: number;
  /** 0 unsigned (default), 1 two's complement. */
  pixelRepresentation?: 0 | 1;
  /** 1 (default, MONOCHROME2) or 3 (RGB, interleaved). */
  samplesPerPixel?: 1 | 3;
  photometricInterpretation?: string;
  /** Number of frames; above 1, Number of Frames is written and the default SOP class is multi-frame SC. */
  frames?: number;
  /** Write Number of Frames (0028,0008) even for one frame. */
  multiFrame?: boolean;
  patientId?: string;
  patientName?: string;
  issuerOfPatientId?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  sopClassUid?: string;
  modality?: string;
  studyDate?: string;
  studyTime?: string;
  accessionNumber?: string;
  studyDescription?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  referringPhysicianName?: string;
  /** Specific Character Set (0008,0005) terms; text values are encoded with it. Default: none (ASCII). */
  specificCharacterSet?: string | readonly string[];
  /**
   * More elements (little-endian values, e.g. from `elements.ts`); they replace defaults with the same tag.
   * A Pixel Data element here replaces the generated pixel data as it is (e.g. YBR_FULL_422 frames);
   * `syntheticFrame` and `syntheticImageLayout` then do not describe it.
   */
  extra?: readonly DataElement[];
  /** Value of one sample; default a deterministic ramp. Stored modulo 2^bitsAllocated. */
  pixelValue?: (frame: number, row: number, column: number, sample: number) => number;
  /** Encapsulated syntaxes: fragments per frame (default 1). */
  fragmentsPerFrame?: number;
  /** Encapsulated syntaxes: fill the Basic Offset Table (default true; always empty with an EOT). */
  basicOffsetTable?: boolean;
  /** Encapsulated syntaxes: write an Extended Offset Table (7FE0,0001/0002) (one fragment per frame). */
  extendedOffsetTable?: boolean;
  /**
   * Encapsulated syntaxes: compresses one native frame (little-endian samples). RLE Lossless is encoded for
   * real by default; any other encapsulated syntax stores the native bytes (not a valid codestream: for
   * structure tests only) unless this is given.
   */
  encodeFrame?: (frame: Uint8Array, index: number) => Uint8Array;
  /** Write the preamble and File Meta Information (default true); false gives a bare data set. */
  fileMeta?: boolean;
}

/** Options with every default filled in (UIDs generated once), so several calls describe one object. */
export type ResolvedSyntheticImageOptions = Required<
  Omit<
    SyntheticImageOptions,
    'issuerOfPatientId' | 'specificCharacterSet' | 'encodeFrame' | 'photometricInterpretation'
  >
> & {
  issuerOfPatientId: string | undefined;
  specificCharacterSet: readonly string[];
  encodeFrame: ((frame: Uint8Array, index: number) => Uint8Array) | undefined;
  photometricInterpretation: string;
};

const resolvedOptions = new WeakSet<object>();

/** Fills in the defaults of {@link SyntheticImageOptions}; pass the result to several builders to get one object. */
export function resolveSyntheticImageOptions(
  options: SyntheticImageOptions | ResolvedSyntheticImageOptions = {},
): ResolvedSyntheticImageOptions {
  if (resolvedOptions.has(options)) return options as ResolvedSyntheticImageOptions;
  const bitsAllocated = options.bitsAllocated ?? 16;
  const samplesPerPixel = options.samplesPerPixel ?? 1;
  const frames = options.frames ?? 1;
  const bitsStored = options.bitsStored ?? (bitsAllocated === 16 ? 12 : bitsAllocated);
  const pixelRepresentation = options.pixelRepresentation ?? 0;
  const defaultSopClass =
    frames > 1 || options.multiFrame
      ? samplesPerPixel === 3
        ? SyntheticSopClass.MultiFrameTrueColorSC
        : bitsAllocated === 8
          ? SyntheticSopClass.MultiFrameGrayscaleByteSC
          : SyntheticSopClass.MultiFrameGrayscaleWordSC
      : SyntheticSopClass.CTImage;
  const sopClassUid = options.sopClassUid ?? defaultSopClass;
  const charset = options.specificCharacterSet;
  const range = 2 ** Math.min(bitsStored, 31);
  const pixelValue =
    options.pixelValue ??
    ((f: number, r: number, c: number, s: number) => {
      const v = (r * 3 + c * 5 + f * 11 + s * 17) % range;
      return pixelRepresentation === 1 ? v - range / 2 : v;
    });
  const resolved: ResolvedSyntheticImageOptions = Object.freeze({
    transferSyntaxUid: options.transferSyntaxUid ?? TransferSyntaxUid.ExplicitVRLittleEndian,
    rows: options.rows ?? 64,
    columns: options.columns ?? 64,
    bitsAllocated,
    bitsStored,
    pixelRepresentation,
    samplesPerPixel,
    photometricInterpretation:
      options.photometricInterpretation ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2'),
    frames,
    multiFrame: options.multiFrame ?? frames > 1,
    patientId: options.patientId ?? 'LB0001',
    patientName: options.patientName ?? 'Test^Patient',
    issuerOfPatientId: options.issuerOfPatientId,
    studyInstanceUid: options.studyInstanceUid ?? generateUid(),
    seriesInstanceUid: options.seriesInstanceUid ?? generateUid(),
    sopInstanceUid: options.sopInstanceUid ?? generateUid(),
    sopClassUid,
    modality: options.modality ?? (sopClassUid === SyntheticSopClass.CTImage ? 'CT' : 'OT'),
    studyDate: options.studyDate ?? '20240101',
    studyTime: options.studyTime ?? '120000',
    accessionNumber: options.accessionNumber ?? 'ACC0001',
    studyDescription: options.studyDescription ?? 'Synthetic study',
    seriesDescription: options.seriesDescription ?? 'Synthetic series',
    seriesNumber: options.seriesNumber ?? 1,
    instanceNumber: options.instanceNumber ?? 1,
    referringPhysicianName: options.referringPhysicianName ?? '',
    specificCharacterSet: charset === undefined ? [] : typeof charset === 'string' ? [charset] : [...charset],
    extra: options.extra ?? [],
    pixelValue,
    fragmentsPerFrame: options.fragmentsPerFrame ?? 1,
    basicOffsetTable: options.basicOffsetTable ?? true,
    extendedOffsetTable: options.extendedOffsetTable ?? false,
    encodeFrame: options.encodeFrame,
    fileMeta: options.fileMeta ?? true,
  });
  resolvedOptions.add(resolved);
  return resolved;
}

/** Bytes of one native frame as stored in Explicit VR Little Endian (samples interleaved). */
export function nativeFrameLittleEndian(
  options: SyntheticImageOptions | ResolvedSyntheticImageOptions,
  index: number,
): Uint8Array {
  const o = resolveSyntheticImageOptions(options);
  const bytesPerSample = o.bitsAllocated / 8;
  const out = new Uint8Array(o.rows * o.columns * o.samplesPerPixel * bytesPerSample);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let r = 0; r < o.rows; r++) {
    for (let c = 0; c < o.columns; c++) {
      for (let s = 0; s < o.samplesPerPixel; s++) {
        const v = o.pixelValue(index, r, c, s);
        if (bytesPerSample === 1) view.setUint8(at, v & 0xff);
        else if (bytesPerSample === 2) view.setUint16(at, v & 0xffff, true);
        else view.setUint32(at, v >>> 0, true);
        at += bytesPerSample;
      }
    }
  }
  return out;
}

function evenLength(bytes: Uint8Array): Uint8Array {
  return bytes.length % 2 === 0 ? bytes : concatBytes([bytes, new Uint8Array(1)]);
}

/**
 * What frame `index` looks like in the object: the native bytes in the transfer syntax's byte order, or
 * for encapsulated syntaxes its fragments (each of even length).
 */
export function syntheticFrameFragments(
  options: SyntheticImageOptions | ResolvedSyntheticImageOptions,
  index: number,
): Uint8Array[] {
  const o = resolveSyntheticImageOptions(options);
  const syntax = lookupTransferSyntax(o.transferSyntaxUid);
  if (syntax === undefined) throw new Error(`unknown transfer syntax ${o.transferSyntaxUid}`);
  const native = nativeFrameLittleEndian(o, index);
  if (!syntax.encapsulated) {
    if (syntax.littleEndian || o.bitsAllocated === 8) return [native];
    if (o.bitsAllocated === 32) throw new Error('32-bit pixel data is only built in little endian');
    return [swapBytes(native, 2)]; // OW in big endian (PS3.5 §A.3)
  }
  let encoded: Uint8Array;
  if (o.encodeFrame !== undefined) encoded = o.encodeFrame(native, index);
  else if (o.transferSyntaxUid === TransferSyntaxUid.RLELossless)
    encoded = rleEncodeFrame(native, o.rows, o.columns, o.samplesPerPixel, o.bitsAllocated);
  else encoded = native;
  encoded = evenLength(encoded);
  const count = o.fragmentsPerFrame;
  const size = Math.ceil(encoded.length / count / 2) * 2;
  if (size * (count - 1) >= encoded.length)
    throw new Error(`a frame of ${encoded.length} bytes cannot make ${count} fragments`);
  const fragments: Uint8Array[] = [];
  for (let i = 0; i < count; i++)
    fragments.push(encoded.subarray(i * size, i === count - 1 ? encoded.length : (i + 1) * size));
  return fragments;
}

/** The bytes of frame `index` as stored: native bytes, or its fragments concatenated. */
export function syntheticFrame(
  options: SyntheticImageOptions | ResolvedSyntheticImageOptions,
  index: number,
): Uint8Array {
  return concatBytes(syntheticFrameFragments(options, index));
}

interface Plan {
  o: ResolvedSyntheticImageOptions;
  /** Preamble and meta, never deflated. */
  meta: Uint8Array;
  /** Data set bytes up to the first pixel value byte (for encapsulated: through the offset table item). */
  head: Uint8Array;
  /** Bytes after the last frame: padding, sequence delimiter, elements after Pixel Data. */
  tail: Uint8Array;
  /** Bytes of frame i as it appears in the stream (with item headers when encapsulated). */
  frame(i: number): Uint8Array;
  deflated: boolean;
  /** Total bytes of all frames in the stream. */
  framesLength(): number;
}

function text(tag: number, vr: DataElement['vr'], value: string, charset: readonly string[]): DataElement {
  return textElement(tag, vr, value, charset);
}

function frameOfReferenceUid(studyInstanceUid: string): string {
  const uid = `${studyInstanceUid}.1`;
  return uid.length <= 64 ? uid : studyInstanceUid;
}

function headerElements(o: ResolvedSyntheticImageOptions): Map<number, DataElement> {
  const cs = o.specificCharacterSet;
  const list: DataElement[] = [];
  if (cs.length > 0) list.push(text(Tag.SpecificCharacterSet, 'CS', cs.join('\\'), []));
  const ct = o.sopClassUid === SyntheticSopClass.CTImage;
  list.push(
    text(Tag.ImageType, 'CS', ct ? 'ORIGINAL\\PRIMARY\\AXIAL' : 'DERIVED\\SECONDARY', []),
    text(Tag.SOPClassUID, 'UI', o.sopClassUid, []),
    text(Tag.SOPInstanceUID, 'UI', o.sopInstanceUid, []),
    text(Tag.StudyDate, 'DA', o.studyDate, []),
    text(Tag.ContentDate, 'DA', o.studyDate, []),
    text(Tag.StudyTime, 'TM', o.studyTime, []),
    text(Tag.ContentTime, 'TM', o.studyTime, []),
    text(Tag.AccessionNumber, 'SH', o.accessionNumber, cs),
    text(Tag.Modality, 'CS', o.modality, []),
    text(Tag.Manufacturer, 'LO', 'Lightbox', cs),
    text(Tag.ReferringPhysicianName, 'PN', o.referringPhysicianName, cs),
    text(Tag.StudyDescription, 'LO', o.studyDescription, cs),
    text(Tag.SeriesDescription, 'LO', o.seriesDescription, cs),
    text(Tag.PatientName, 'PN', o.patientName, cs),
    text(Tag.PatientID, 'LO', o.patientId, cs),
    text(Tag.PatientBirthDate, 'DA', '', []),
    text(Tag.PatientSex, 'CS', 'O', []),
    text(Tag.StudyInstanceUID, 'UI', o.studyInstanceUid, []),
    text(Tag.SeriesInstanceUID, 'UI', o.seriesInstanceUid, []),
    text(Tag.StudyID, 'SH', '1', cs),
    text(Tag.SeriesNumber, 'IS', String(o.seriesNumber), []),
    text(Tag.Laterality, 'CS', '', []),
    text(Tag.InstanceNumber, 'IS', String(o.instanceNumber), []),
    numberElement(Tag.SamplesPerPixel, 'US', [o.samplesPerPixel]),
    text(Tag.PhotometricInterpretation, 'CS', o.photometricInterpretation, []),
    numberElement(Tag.Rows, 'US', [o.rows]),
    numberElement(Tag.Columns, 'US', [o.columns]),
    numberElement(Tag.BitsAllocated, 'US', [o.bitsAllocated]),
    numberElement(Tag.BitsStored, 'US', [o.bitsStored]),
    numberElement(Tag.HighBit, 'US', [o.bitsStored - 1]),
    numberElement(Tag.PixelRepresentation, 'US', [o.pixelRepresentation]),
  );
  if (o.issuerOfPatientId !== undefined)
    list.push(text(Tag.IssuerOfPatientID, 'LO', o.issuerOfPatientId, cs));
  if (o.samplesPerPixel > 1) list.push(numberElement(Tag.PlanarConfiguration, 'US', [0]));
  if (o.multiFrame) {
    list.push(text(Tag.NumberOfFrames, 'IS', String(o.frames), []));
    list.push(tagElement(Tag.FrameIncrementPointer, [Tag.FrameTime]));
    list.push(text(Tag.FrameTime, 'DS', '40', []));
  }
  if (ct) {
    list.push(
      text(Tag.SliceThickness, 'DS', '1', []),
      text(Tag.KVP, 'DS', '120', []),
      text(Tag.AcquisitionNumber, 'IS', '1', []),
      text(Tag.ImagePositionPatient, 'DS', `0\\0\\${o.instanceNumber}`, []),
      text(Tag.ImageOrientationPatient, 'DS', '1\\0\\0\\0\\1\\0', []),
      text(Tag.FrameOfReferenceUID, 'UI', frameOfReferenceUid(o.studyInstanceUid), []),
      text(Tag.PositionReferenceIndicator, 'LO', '', []),
      text(Tag.PixelSpacing, 'DS', '0.5\\0.5', []),
      text(Tag.RescaleIntercept, 'DS', o.pixelRepresentation === 1 ? '0' : '-1024', []),
      text(Tag.RescaleSlope, 'DS', '1', []),
      text(Tag.PatientPosition, 'CS', 'HFS', []),
    );
  } else {
    list.push(
      text(Tag.ConversionType, 'CS', 'WSD', []),
      text(Tag.PatientOrientation, 'CS', '', []),
      text(Tag.BurnedInAnnotation, 'CS', 'NO', []),
    );
    if (o.samplesPerPixel === 1) {
      list.push(
        text(Tag.PresentationLUTShape, 'CS', 'IDENTITY', []),
        text(Tag.RescaleIntercept, 'DS', '0', []),
        text(Tag.RescaleSlope, 'DS', '1', []),
        text(Tag.RescaleType, 'LO', 'US', []),
      );
    }
  }
  const map = new Map<number, DataElement>();
  for (const element of list) map.set(element.tag, element);
  for (const element of o.extra) map.set(element.tag, element);
  return map;
}

function plan(options: SyntheticImageOptions | ResolvedSyntheticImageOptions): Plan {
  const o = resolveSyntheticImageOptions(options);
  const syntax = lookupTransferSyntax(o.transferSyntaxUid);
  if (syntax === undefined) throw new Error(`unknown transfer syntax ${o.transferSyntaxUid}`);
  const enc: TestEncoding = { explicitVr: syntax.explicitVr, littleEndian: syntax.littleEndian };
  const elements = headerElements(o);
  const frameFragments = (i: number): Uint8Array[] => syntheticFrameFragments(o, i);

  if (syntax.encapsulated && o.extendedOffsetTable) {
    if (o.fragmentsPerFrame !== 1) throw new Error('an Extended Offset Table needs one fragment per frame');
    const offsets: bigint[] = [];
    const lengths: bigint[] = [];
    let at = 0;
    for (let i = 0; i < o.frames; i++) {
      const length = syntheticFrame(o, i).length;
      offsets.push(BigInt(at));
      lengths.push(BigInt(length));
      at += 8 + length;
    }
    elements.set(Tag.ExtendedOffsetTable, numberElement(Tag.ExtendedOffsetTable, 'OV', offsets));
    elements.set(
      Tag.ExtendedOffsetTableLengths,
      numberElement(Tag.ExtendedOffsetTableLengths, 'OV', lengths),
    );
  }
  const meta = o.fileMeta
    ? concatBytes([
        part10Preamble(),
        encodeTestFileMeta(o.sopClassUid, o.sopInstanceUid, o.transferSyntaxUid),
      ])
    : new Uint8Array(0);
  if (elements.has(Tag.PixelData)) {
    const all = encodeTestDataSet(elements.values(), enc, true);
    const none = () => new Uint8Array(0);
    return {
      o,
      meta,
      head: all,
      tail: none(),
      frame: none,
      framesLength: () => 0,
      deflated: syntax.deflated,
    };
  }
  const before = [...elements.values()].filter((e) => e.tag < Tag.PixelData);
  const after = [...elements.values()].filter((e) => e.tag > Tag.PixelData);

  const head = new ByteWriter().bytes(encodeTestDataSet(before, enc, true));
  const tail = new ByteWriter();
  let frame: (i: number) => Uint8Array;
  let framesLength: () => number;
  if (!syntax.encapsulated) {
    const frameLength = o.rows * o.columns * o.samplesPerPixel * (o.bitsAllocated / 8);
    const total = frameLength * o.frames;
    framesLength = () => total;
    writeHeader(head, Tag.PixelData, o.bitsAllocated === 8 ? 'OB' : 'OW', total + (total % 2), enc);
    frame = (i) => frameFragments(i)[0]!;
    if (total % 2 === 1) tail.bytes(new Uint8Array(1));
  } else {
    writeHeader(head, Tag.PixelData, 'OB', 0xffffffff, enc);
    const table = new ByteWriter();
    if (o.basicOffsetTable && !o.extendedOffsetTable) {
      let at = 0;
      for (let i = 0; i < o.frames; i++) {
        table.u32(at, true);
        for (const fragment of frameFragments(i)) at += 8 + fragment.length;
      }
    }
    head.tag(0xfffee000, true).u32(table.length, true).bytes(table.result());
    frame = (i) => {
      const out = new ByteWriter();
      for (const fragment of frameFragments(i))
        out.tag(0xfffee000, true).u32(fragment.length, true).bytes(fragment);
      return out.result();
    };
    framesLength = () => {
      let total = 0;
      for (let i = 0; i < o.frames; i++) total += frame(i).length;
      return total;
    };
    tail.tag(0xfffee0dd, true).u32(0, true);
  }
  tail.bytes(encodeTestDataSet(after, enc, true));
  return {
    o,
    meta,
    head: head.result(),
    tail: tail.result(),
    frame,
    framesLength,
    deflated: syntax.deflated,
  };
}

function* pieces(p: Plan): Generator<Uint8Array> {
  const wrap = (bytes: Uint8Array): Uint8Array => (p.deflated ? deflateStored(bytes, false) : bytes);
  if (p.meta.length > 0) yield p.meta;
  yield wrap(p.head);
  for (let i = 0; i < p.o.frames; i++) yield wrap(p.frame(i));
  yield wrap(p.tail);
  if (p.deflated) yield deflateStored(new Uint8Array(0), true);
}

/**
 * A synthetic Part 10 image object in memory (see {@link SyntheticImageOptions}). Deflated syntaxes are
 * written with stored DEFLATE blocks.
 */
export function syntheticImage(options: SyntheticImageOptions = {}): Uint8Array {
  return concatBytes([...pieces(plan(options))]);
}

/**
 * The same bytes as {@link syntheticImage}, produced frame by frame so that objects of any size can be
 * streamed without being held; pass resolved options (see {@link resolveSyntheticImageOptions}) to get the
 * same UIDs as another call.
 */
export async function* syntheticImageStream(
  options: SyntheticImageOptions | ResolvedSyntheticImageOptions = {},
): AsyncGenerator<Uint8Array> {
  yield* pieces(plan(options));
}

/**
 * Where things lie in a synthetic object (not deflated): `pixelDataValueOffset` is the first pixel byte
 * (native) or the item tag of the first fragment, after the offset table (encapsulated); and the total size.
 */
export function syntheticImageLayout(options: SyntheticImageOptions | ResolvedSyntheticImageOptions): {
  pixelDataValueOffset: number;
  totalLength: number;
} {
  const p = plan(options);
  return {
    pixelDataValueOffset: p.meta.length + p.head.length,
    totalLength: p.meta.length + p.head.length + p.framesLength() + p.tail.length,
  };
}

/** The elements of a synthetic object other than Pixel Data, in memory (little endian). */
export function syntheticImageElements(
  options: SyntheticImageOptions | ResolvedSyntheticImageOptions,
): DataElement[] {
  return [...headerElements(resolveSyntheticImageOptions(options)).values()].sort((a, b) => a.tag - b.tag);
}

/** Fragments of an encapsulated synthetic object, as the library's data model holds them (offsets -1). */
export function syntheticFragments(
  options: SyntheticImageOptions | ResolvedSyntheticImageOptions,
): Fragment[] {
  const o = resolveSyntheticImageOptions(options);
  const out: Fragment[] = [];
  for (let i = 0; i < o.frames; i++) {
    for (const bytes of syntheticFrameFragments(o, i)) out.push({ offset: -1, length: bytes.length, bytes });
  }
  return out;
}
