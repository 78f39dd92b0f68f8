import { CodecError, CodecFailure } from './codec-error.js';

/** What the main header of a JPEG 2000 codestream says (ISO/IEC 15444-1 A.5.1 SIZ, A.6.1 COD). */
export interface J2kHeader {
  /** The codestream itself: the input, or the contents of its 'jp2c' box when it came wrapped in JP2. */
  codestream: Uint8Array;
  /** Image width (Xsiz − XOsiz) and height (Ysiz − YOsiz). */
  columns: number;
  rows: number;
  /** Number of components (Csiz). */
  components: number;
  /** Bit depth of the first component. */
  precision: number;
  /** The first component is signed. */
  signed: boolean;
  /** Rsiz bit 14: a High-Throughput (ISO/IEC 15444-15) codestream. */
  highThroughput: boolean;
  /** The COD marker asks for the inverse multiple component transform (the decoder then outputs RGB). */
  multipleComponentTransform: boolean;
  /**
   * Component 0's wavelet filter (Table A.20) by the main header: 1 the reversible 5-3, 0 the irreversible
   * 9-7, from a COC marker for it or else the COD marker; undefined without either.
   */
  transformation: number | undefined;
  /**
   * Some component of some tile goes through the irreversible 9-7 filter: such a codestream cannot be
   * lossless. A tile's wavelet for a component is that of the first of these to name it (A.6): a COC of
   * its tile-part headers, a COD of them, a COC of the main header, the main header's COD.
   */
  irreversible: boolean;
}

const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const JP2C = 0x6a703263; // 'jp2c'

function corrupt(label: string, detail: string): CodecError {
  return new CodecError(CodecFailure.Corrupt, `${label}: ${detail}`);
}

// ISO/IEC 15444-1 I.4: a JP2 file is a sequence of boxes; the codestream is in the 'jp2c' box.
function contiguousCodestream(bytes: Uint8Array, label: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 8 <= bytes.length) {
    let length = view.getUint32(at);
    const type = view.getUint32(at + 4);
    let header = 8;
    if (length === 1) {
      if (at + 16 > bytes.length) break;
      length = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (length === 0) {
      length = bytes.length - at;
    }
    if (length < header) break;
    if (type === JP2C) return bytes.subarray(at + header, Math.min(bytes.length, at + length));
    at += length;
  }
  throw corrupt(label, 'the JP2 file has no codestream box');
}

// Marker codes (ISO/IEC 15444-1 Table A.2).
const SOT = 0xff90;
const SOD = 0xff93;
const EOC = 0xffd9;
const COD = 0xff52;
const COC = 0xff53;

/** The wavelet filters (Table A.20) that one header names: its COD's for all components, its COCs' for one. */
interface Wavelets {
  all: number | undefined;
  byComponent: Map<number, number>;
}

function emptyWavelets(): Wavelets {
  return { all: undefined, byComponent: new Map() };
}

/**
 * Records the transformation of the COD or COC marker segment at `at` (ending at `end`, within the bytes)
 * in `into`; false when the segment is too short to hold it.
 */
function readWavelets(
  codestream: Uint8Array,
  at: number,
  end: number,
  components: number,
  into: Wavelets,
): boolean {
  if (codestream[at + 1] === 0x52) {
    // A.6.1 COD: FF52, Lcod(2), Scod, SGcod: progression order, number of layers(2), multiple component
    // transform; SPcod: decomposition levels, code-block width and height, code-block style, transformation.
    if (at + 13 >= end) return false;
    into.all = codestream[at + 13];
    return true;
  }
  // A.6.2 COC: FF53, Lcoc(2), Ccoc (two bytes past 256 components), Scoc, then SPcoc as SPcod.
  const wide = components >= 257;
  const spcoc = at + (wide ? 7 : 6);
  if (spcoc + 4 >= end) return false;
  const component = wide ? (codestream[at + 4]! << 8) | codestream[at + 5]! : codestream[at + 4]!;
  if (component >= components) return false;
  into.byComponent.set(component, codestream[spcoc + 4]!);
  return true;
}

/**
 * How many components take the irreversible 9-7 filter (transformation 0) under `scope`, which falls back,
 * for what it does not name, to the `inherited` header's wavelets (of which `count` are irreversible).
 */
function irreversibleCount(
  scope: Wavelets,
  components: number,
  inherited?: { wavelets: Wavelets; count: number },
): number {
  const fallback = (c: number): number | undefined =>
    scope.all ?? inherited?.wavelets.byComponent.get(c) ?? inherited?.wavelets.all;
  let count = scope.all === undefined ? (inherited?.count ?? 0) : scope.all === 0 ? components : 0;
  for (const [c, transformation] of scope.byComponent) {
    count += (transformation === 0 ? 1 : 0) - (fallback(c) === 0 ? 1 : 0);
  }
  return count;
}

/** The number of tiles (B.3: ⌈(Xsiz − XTOsiz) / XTsiz⌉ × ⌈(Ysiz − YTOsiz) / YTsiz⌉); undefined if SIZ is inconsistent. */
function tileCount(siz: DataView): number | undefined {
  const across = (size: number, tile: number, offset: number) =>
    tile > 0 && size > offset ? Math.ceil((size - offset) / tile) : undefined;
  const x = across(siz.getUint32(8), siz.getUint32(24), siz.getUint32(32));
  const y = across(siz.getUint32(12), siz.getUint32(28), siz.getUint32(36));
  return x === undefined || y === undefined ? undefined : x * y;
}

/** Reads the COD and COC marker segments of a tile-part header, from `at` up to its SOD, within `limit`. */
function readTilePartHeader(
  codestream: Uint8Array,
  view: DataView,
  at: number,
  limit: number,
  components: number,
  into: Wavelets,
): void {
  while (at + 4 <= limit) {
    const marker = view.getUint16(at);
    if (marker === SOD || (marker & 0xff00) !== 0xff00) return;
    const length = view.getUint16(at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > limit) return; // malformed, or past the tile-part or the bytes
    if (marker === COD || marker === COC) readWavelets(codestream, at, end, components, into);
    at = end;
  }
}

// A tile-part takes at least 14 bytes (SOT and SOD); the count is capped all the same, as the codestream of
// one DICOM frame has far fewer (Isot < 65 535 tiles, most of one tile-part each).
const MAX_TILE_PARTS = 65_536;

/**
 * Walks the tile-parts from the SOT at `at` (A.4.2: SOT, FF90, Lsot = 10, Isot(2), Psot(4), TPsot, TNsot;
 * Psot the tile-part's length from its SOT, 0 for the last one, which runs to EOC), gathering each tile's
 * COD and COC into `tiles` by Isot. True when it reached the end of the codestream, false when it stopped
 * at a tile-part it could not read or at the cap.
 */
function walkTileParts(
  codestream: Uint8Array,
  view: DataView,
  at: number,
  components: number,
  tiles: Map<number, Wavelets>,
): boolean {
  for (let n = 0; n < MAX_TILE_PARTS; n++) {
    if (at + 12 > codestream.length || view.getUint16(at) !== SOT || view.getUint16(at + 2) !== 10) {
      return false;
    }
    const tile = view.getUint16(at + 4);
    const psot = view.getUint32(at + 6);
    const end = psot === 0 ? codestream.length : at + psot;
    let scope = tiles.get(tile);
    if (scope === undefined) tiles.set(tile, (scope = emptyWavelets()));
    readTilePartHeader(codestream, view, at + 12, Math.min(end, codestream.length), components, scope);
    if (psot === 0 || end === codestream.length) return true;
    if (psot < 14 || end + 2 > codestream.length) return false; // inconsistent, or past the bytes
    if (view.getUint16(end) === EOC) return true;
    at = end;
  }
  return false;
}

/**
 * Whether some component of some tile takes the 9-7 filter: a tile-part header's COD and COC override the
 * main header's for that tile (A.6: tile-part COC, then tile-part COD, then main COC, then main COD). Tiles
 * whose headers could not all be read keep the main header's wavelets.
 */
function irreversibleTiles(
  codestream: Uint8Array,
  view: DataView,
  firstSot: number,
  main: Wavelets,
  components: number,
): boolean {
  const inherited = { wavelets: main, count: irreversibleCount(main, components) };
  const tiles = new Map<number, Wavelets>();
  const complete = walkTileParts(codestream, view, firstSot, components, tiles);
  const total = tileCount(view);
  let covered = 0;
  for (const [tile, scope] of tiles) {
    if (irreversibleCount(scope, components, inherited) > 0) return true;
    if (total !== undefined && tile < total) covered++;
  }
  return inherited.count > 0 && !(complete && covered === total);
}

/**
 * Reads the main header of a JPEG 2000 or HTJ2K codestream (bare or in JP2), and the wavelets of its
 * tile-part headers; throws a corrupt {@link CodecError}.
 */
export function readJ2kHeader(bytes: Uint8Array, label = 'JPEG 2000'): J2kHeader {
  const isJp2 = JP2_SIGNATURE.every((b, i) => bytes[i] === b);
  const codestream = isJp2 ? contiguousCodestream(bytes, label) : bytes;
  // SOC (FF4F) then SIZ (FF51).
  if (codestream.length < 42 || codestream[0] !== 0xff || codestream[1] !== 0x4f) {
    throw corrupt(label, 'the frame does not start with an SOC marker');
  }
  if (codestream[2] !== 0xff || codestream[3] !== 0x51)
    throw corrupt(label, 'the SIZ marker does not follow SOC');
  const view = new DataView(codestream.buffer, codestream.byteOffset, codestream.byteLength);
  const sizLength = view.getUint16(4);
  const components = view.getUint16(40);
  if (components === 0 || sizLength !== 38 + 3 * components || 4 + sizLength > codestream.length) {
    throw corrupt(label, 'the SIZ marker segment is malformed');
  }
  const rsiz = view.getUint16(6);
  const columns = view.getUint32(8) - view.getUint32(16);
  const rows = view.getUint32(12) - view.getUint32(20);
  const ssiz = codestream[42]!;

  let multipleComponentTransform = false;
  const main = emptyWavelets();
  let at = 4 + sizLength;
  while (at + 4 <= codestream.length) {
    const marker = view.getUint16(at);
    if (marker === SOT || (marker & 0xff00) !== 0xff00) break; // the main header is over
    const end = at + 2 + view.getUint16(at + 2);
    if (end > codestream.length) break; // a segment past the bytes: no more of the header can be read
    // Scod's multiple component transform: the byte after progression order and number of layers.
    if (marker === COD && readWavelets(codestream, at, end, components, main)) {
      multipleComponentTransform = codestream[at + 8] === 1;
    }
    if (marker === COC) readWavelets(codestream, at, end, components, main);
    at = end;
  }
  const irreversible = irreversibleTiles(codestream, view, at, main, components);
  return {
    codestream,
    columns,
    rows,
    components,
    precision: (ssiz & 0x7f) + 1,
    signed: (ssiz & 0x80) !== 0,
    highThroughput: (rsiz & 0x4000) !== 0,
    multipleComponentTransform,
    // The colour transform follows the first components' wavelet (15444-1 G.2): component 0's own.
    transformation: main.byComponent.get(0) ?? main.all,
    irreversible,
  };
}
