import { Hl7ParseError } from './hl7-parse-error.js';

// HL7 v2.5.1 §2.14.9.18 MSH-18 and table 0211 (alternate character sets), mapped to WHATWG encoding
// labels understood by TextDecoder. Values from DICOM (ISO IR 100/192/13/87) are accepted too, since
// some senders copy them from the modality worklist.
const encodingByCharset: Readonly<Record<string, string>> = {
  '': 'windows-1252',
  ASCII: 'windows-1252',
  '8859/1': 'iso-8859-1', // WHATWG: windows-1252, a superset
  '8859/2': 'iso-8859-2',
  '8859/3': 'iso-8859-3',
  '8859/4': 'iso-8859-4',
  '8859/5': 'iso-8859-5',
  '8859/6': 'iso-8859-6',
  '8859/7': 'iso-8859-7',
  '8859/8': 'iso-8859-8',
  '8859/9': 'iso-8859-9',
  '8859/15': 'iso-8859-15',
  'ISO IR100': 'iso-8859-1',
  'ISO IR6': 'windows-1252',
  'ISO IR14': 'shift_jis', // JIS X 0201 Roman: best effort
  'ISO IR13': 'shift_jis', // JIS X 0201 Katakana: best effort
  'ISO IR87': 'shift_jis', // JIS X 0208: best effort
  'ISO IR192': 'utf-8',
  UNICODE: 'utf-8', // v2.5 senders use it for UTF-8
  'UNICODE UTF-8': 'utf-8',
  'UTF-8': 'utf-8',
  'GB 18030-2000': 'gb18030',
  'KS X 1001': 'euc-kr',
  'BIG-5': 'big5',
};

/** The WHATWG encoding label for an MSH-18 value; throws Hl7ParseError '102' at MSH-18 when unknown. */
export function characterSetEncoding(charset: string | undefined): string {
  const key = (charset ?? '')
    .trim()
    .toUpperCase()
    .replace(/[\s_]+/g, ' ')
    .replace(/^ISO IR (\d)/, 'ISO IR$1');
  const encoding = encodingByCharset[key];
  if (encoding === undefined) {
    throw new Hl7ParseError('102', `Unsupported character set in MSH-18: ${JSON.stringify(charset)}`, {
      segment: 'MSH',
      sequence: 1,
      field: 18,
    });
  }
  return encoding;
}

/**
 * MSH-18 (first repetition, first component) read from the first segment of a message, '' when absent.
 * Works on text whose first segment is ASCII, which is true for every supported character set.
 */
export function readCharacterSet(text: string): string {
  if (!text.startsWith('MSH') || text.length < 8) return '';
  const field = text.charAt(3);
  const end = text.search(/[\r\n]/);
  const msh = end < 0 ? text : text.slice(0, end);
  const component = text.charAt(4);
  const repetition = text.charAt(5);
  // Split on the field separator: [MSH, MSH-2, MSH-3, ...], so MSH-n is at index n - 1.
  const value = msh.split(field)[17] ?? '';
  return value.split(repetition)[0]!.split(component)[0]!;
}

/** The first segment's bytes as latin1 text (enough to read MSH-1, MSH-2 and MSH-18). */
function firstSegmentText(bytes: Uint8Array): string {
  let end = 0;
  while (end < bytes.length && bytes[end] !== 0x0d && bytes[end] !== 0x0a) end++;
  let text = '';
  for (let i = 0; i < end; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
  }
  return text;
}

/**
 * Decodes the bytes of a message with the character set named in its MSH-18 (HL7 v2.5.1 §2.14.9.18,
 * table 0211): empty or ASCII → windows-1252 (latin1-safe), 8859/n → ISO 8859-n, UNICODE UTF-8 → UTF-8,
 * GB 18030-2000, KS X 1001 → EUC-KR, ISO IR87/IR13 → Shift_JIS (best effort). Bytes that are invalid in
 * that character set become U+FFFD. Unknown MSH-18: Hl7ParseError '102' (data type error) at MSH-18.
 */
export function decodeMessageBytes(bytes: Uint8Array): string {
  const encoding = characterSetEncoding(readCharacterSet(firstSegmentText(bytes)));
  return new TextDecoder(encoding).decode(bytes);
}

const reverseMaps = new Map<string, Map<number, Uint8Array>>();

/** Every byte sequence worth trying when building an encoder for a TextDecoder encoding. */
function* candidateSequences(encoding: string): Generator<number[]> {
  const byteRange = (from: number, to: number): number[] =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);
  if (encoding === 'euc-kr' || encoding === 'big5') {
    for (const lead of byteRange(0x81, 0xfe)) for (const t of byteRange(0x40, 0xfe)) yield [lead, t];
  } else if (encoding === 'shift_jis') {
    for (const b of byteRange(0xa1, 0xdf)) yield [b];
    for (const lead of [...byteRange(0x81, 0x9f), ...byteRange(0xe0, 0xfc)]) {
      for (const t of [...byteRange(0x40, 0x7e), ...byteRange(0x80, 0xfc)]) yield [lead, t];
    }
  } else if (encoding === 'gb18030') {
    yield [0x80];
    for (const lead of byteRange(0x81, 0xfe)) {
      for (const t of [...byteRange(0x40, 0x7e), ...byteRange(0x80, 0xfe)]) yield [lead, t];
    }
    // Four-byte sequences of the BMP (GB 18030 pointers 0–39419).
    for (let pointer = 0; pointer < 39420; pointer++) {
      yield [
        0x81 + Math.floor(pointer / 12600),
        0x30 + (Math.floor(pointer / 1260) % 10),
        0x81 + (Math.floor(pointer / 10) % 126),
        0x30 + (pointer % 10),
      ];
    }
  } else {
    for (const b of byteRange(0x80, 0xff)) yield [b];
  }
}

/** Code point → bytes for a legacy encoding, built once from TextDecoder itself. */
function reverseMap(encoding: string): Map<number, Uint8Array> {
  let map = reverseMaps.get(encoding);
  if (map === undefined) {
    map = new Map();
    const decoder = new TextDecoder(encoding, { fatal: true });
    for (const sequence of candidateSequences(encoding)) {
      let text: string;
      try {
        text = decoder.decode(Uint8Array.from(sequence));
      } catch {
        continue;
      }
      const cp = text.codePointAt(0);
      if (cp === undefined || cp === 0xfffd || text.length !== (cp > 0xffff ? 2 : 1)) continue;
      if (!map.has(cp)) map.set(cp, Uint8Array.from(sequence));
    }
    reverseMaps.set(encoding, map);
  }
  return map;
}

/** GB 18030 four-byte form of a supplementary-plane code point (pointer = 189000 + cp − 0x10000). */
function gb18030Supplementary(cp: number): number[] {
  const pointer = 189000 + cp - 0x10000;
  return [
    0x81 + Math.floor(pointer / 12600),
    0x30 + (Math.floor(pointer / 1260) % 10),
    0x81 + (Math.floor(pointer / 10) % 126),
    0x30 + (pointer % 10),
  ];
}

/**
 * Encodes message text in the character set `charset` (an MSH-18 value; same table as
 * decodeMessageBytes). Throws Hl7ParseError '102' for an unknown character set and a plain Error for a
 * character the character set cannot represent.
 */
export function encodeMessageText(text: string, charset: string | undefined): Uint8Array {
  const encoding = characterSetEncoding(charset);
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  const out: number[] = [];
  let map: Map<number, Uint8Array> | undefined;
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (cp < 0x80) {
      out.push(cp);
      continue;
    }
    if (encoding === 'gb18030' && cp > 0xffff) {
      out.push(...gb18030Supplementary(cp));
      continue;
    }
    map ??= reverseMap(encoding);
    const bytes = map.get(cp);
    if (bytes === undefined) {
      throw new Error(
        `U+${cp.toString(16).toUpperCase().padStart(4, '0')} cannot be encoded in ${JSON.stringify(charset ?? '')}`,
      );
    }
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}
