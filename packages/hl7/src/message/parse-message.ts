import { characterSetEncoding, readCharacterSet } from './character-set.js';
import { readDelimiters, type Hl7Delimiters } from './delimiters.js';
import type { Hl7Message, Hl7Segment } from './hl7-message.js';
import { Hl7ParseError } from './hl7-parse-error.js';
import { ParsedSegment } from './parsed-segment.js';

const pathPattern = /^([A-Z0-9]{3})(?:\((\d+)\))?-(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?$/;

class ParsedMessage implements Hl7Message {
  constructor(
    readonly delimiters: Hl7Delimiters,
    readonly segments: readonly ParsedSegment[],
  ) {}

  segment(id: string): Hl7Segment | undefined {
    return this.segments.find((s) => s.id === id);
  }

  segmentsOf(id: string): Hl7Segment[] {
    return this.segments.filter((s) => s.id === id);
  }

  get(path: string): string {
    const m = pathPattern.exec(path);
    if (m === null) throw new Error(`Not an HL7 path: ${JSON.stringify(path)}`);
    const [, id, occurrence, field, repetition, component, subcomponent] = m;
    const segment = this.segmentsOf(id!)[Number(occurrence ?? 1) - 1];
    if (segment === undefined || Number(field) < 1) return '';
    const f = segment.field(Number(field));
    if (f.isEmpty) return '';
    const rep = f.repetitions[Number(repetition ?? 1) - 1];
    return rep?.value(Number(component ?? 1), Number(subcomponent ?? 1)) ?? '';
  }

  get messageType(): string {
    return this.get('MSH-9.1');
  }
  get triggerEvent(): string {
    return this.get('MSH-9.2');
  }
  get messageStructure(): string {
    return this.get('MSH-9.3');
  }
  get controlId(): string {
    return this.get('MSH-10');
  }
  get processingId(): string {
    return this.get('MSH-11.1');
  }
  get version(): string {
    return this.get('MSH-12.1');
  }
  get acceptAckType(): string {
    return this.get('MSH-15');
  }
  get applicationAckType(): string {
    return this.get('MSH-16');
  }
  get characterSet(): string {
    return this.get('MSH-18');
  }

  toString(): string {
    return this.segments.map((s) => `${s.raw}\r`).join('');
  }
}

/**
 * Parses an HL7 v2 message (HL7 v2.5.1 §2.5–§2.7). Segments end with CR; LF and CRLF are accepted too,
 * empty lines are skipped, and a leading byte-order mark or line breaks are ignored. Throws
 * Hl7ParseError: no MSH at the start or a malformed segment id ('100'), bad MSH-1/MSH-2 ('102'),
 * MSH-9, MSH-10 or MSH-12 missing ('101').
 */
export function parseMessage(text: string): Hl7Message {
  const body = text.replace(/^\uFEFF?[\r\n]*/, '');
  if (!body.startsWith('MSH')) {
    throw new Hl7ParseError('100', 'The message does not start with an MSH segment', { segment: 'MSH' });
  }
  const delimiters = readDelimiters(body);
  let encoding: string;
  try {
    encoding = characterSetEncoding(readCharacterSet(body));
  } catch {
    encoding = 'windows-1252'; // only used for \Xhh\ escapes: the text itself is already decoded
  }
  const segments: ParsedSegment[] = [];
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') continue;
    const segment = new ParsedSegment(line, delimiters, encoding);
    if (!/^[A-Z][A-Z0-9]{2}$/.test(segment.id)) {
      throw new Hl7ParseError('100', `Segment ${segments.length + 1} has no valid segment id`, {
        segment: segment.id.slice(0, 3),
        sequence: segments.length + 1,
      });
    }
    segments.push(segment);
  }
  const message = new ParsedMessage(delimiters, segments);
  for (const [field, name] of [
    [9, 'message type'],
    [10, 'message control id'],
    [12, 'version id'],
  ] as const) {
    if (message.get(`MSH-${field}`) === '') {
      throw new Hl7ParseError('101', `MSH-${field} (${name}) is missing`, {
        segment: 'MSH',
        sequence: 1,
        field,
      });
    }
  }
  return message;
}
