import { encodingCharacters, type Hl7Delimiters } from '../message/delimiters.js';
import { encodeField, joinSegment, type Hl7FieldValue } from '../message/encode-segment.js';
import { escapeText } from '../message/escape.js';
import type { Hl7Field, Hl7Message } from '../message/hl7-message.js';
import type { Hl7ErrorLocation } from '../message/hl7-parse-error.js';
import { formatHl7Timestamp } from '../message/hl7-timestamp.js';
import { compareVersions } from './compare-versions.js';
import { errorConditionText } from './error-condition.js';

/** MSA-1 acknowledgment code (HL7 table 0008): application accept/error/reject, commit accept/error/reject. */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/** One error to report in an ACK (HL7 v2.5.1 §2.14.5 ERR). */
export interface AckError {
  /** HL7 table 0357 message error condition code, e.g. '101'. */
  code: string;
  text: string;
  /** ERR-4 (table 0516); 'E' when not given. */
  severity?: 'E' | 'W' | 'I';
  location?: Hl7ErrorLocation;
}

/** Options of buildAck. */
export interface BuildAckOptions {
  /** MSH-3 of the ACK (namespace id; escaped). */
  sendingApplication: string;
  /** MSH-4 of the ACK (namespace id; escaped). */
  sendingFacility?: string;
  /** MSH-10 of the ACK. */
  controlId: string;
  /** MSH-7; now when not given. */
  timestamp?: Date;
  errors?: readonly AckError[];
  /** MSA-3; the first error's text when not given. Cut to 80 characters (ST length). */
  text?: string;
}

const num = (n: number | undefined): string => (n === undefined ? '' : String(n));

/** The ERR segments' fields: v2.5+ one ERR per error (§2.14.5); before v2.5 one ERR whose ERR-1 (ELD) repeats. */
export function errSegmentFields(errors: readonly AckError[], version: string): Hl7FieldValue[][] {
  if (errors.length === 0) return [];
  if (compareVersions(version, '2.5') < 0) {
    // v2.3.1/v2.4 ERR-1 ELD: segment ID ^ sequence ^ field position ^ code identifying error (CE, its
    // parts as subcomponents: identifier & text & name of coding system).
    return [
      [
        errors.map((e) => [
          e.location?.segment ?? '',
          num(e.location?.sequence),
          num(e.location?.field),
          [e.code, errorConditionText(e.code) ?? e.text, 'HL70357'],
        ]),
      ],
    ];
  }
  // v2.5+: ERR-1 (ELD, backward compatibility only) left empty; ERR-2 ERL (segment ^ sequence ^ field ^
  // field repetition ^ component ^ subcomponent), ERR-3 CWE (table 0357), ERR-4 severity (table 0516),
  // ERR-8 user message.
  return errors.map((e) => {
    const l = e.location;
    const erl: Hl7FieldValue =
      l === undefined ? '' : [[l.segment, num(l.sequence), num(l.field), '', num(l.component)]];
    const cwe: Hl7FieldValue = [[e.code, errorConditionText(e.code) ?? '', 'HL70357']];
    return ['', erl, cwe, e.severity ?? 'E', '', '', '', e.text];
  });
}

/** A field of the original message re-encoded with the same delimiters. */
function copyField(field: Hl7Field, d: Hl7Delimiters): string {
  if (field.isEmpty) return '';
  return field.repetitions
    .map((r) =>
      r.components.map((c) => c.map((s) => escapeText(s, d)).join(d.subcomponent)).join(d.component),
    )
    .join(d.repetition);
}

/**
 * Builds the acknowledgment of `message` (HL7 v2.5.1 §2.9 original and enhanced mode, §2.14.1 MSA,
 * §2.14.5 ERR) with the delimiters of the message: MSH-3/4 ours, MSH-5/6 the original MSH-3/4, MSH-9
 * ACK^trigger^ACK (ACK^trigger before v2.3.1, which introduced the message structure), MSH-11, MSH-12
 * and MSH-18 copied from the original. Every segment ends with CR.
 */
export function buildAck(message: Hl7Message, code: AckCode, options: BuildAckOptions): string {
  const d = message.delimiters;
  const msh = message.segment('MSH')!;
  const version = message.version;
  const errors = options.errors ?? [];
  const messageType =
    compareVersions(version, '2.3.1') >= 0
      ? ['ACK', message.triggerEvent, 'ACK']
      : ['ACK', message.triggerEvent];
  const mshFields = [
    encodingCharacters(d),
    escapeText(options.sendingApplication, d),
    escapeText(options.sendingFacility ?? '', d),
    copyField(msh.field(3), d),
    copyField(msh.field(4), d),
    formatHl7Timestamp(options.timestamp ?? new Date()),
    '',
    encodeField([messageType], d),
    escapeText(options.controlId, d),
    copyField(msh.field(11), d),
    copyField(msh.field(12), d),
    '',
    '',
    '',
    '',
    '',
    copyField(msh.field(18), d),
  ];
  const msa: Hl7FieldValue[] = [
    code,
    message.controlId,
    (options.text ?? errors[0]?.text ?? '').slice(0, 80),
  ];
  const first = errors[0];
  if (first !== undefined && compareVersions(version, '2.5') < 0) {
    // MSA-6 error condition (CE, table 0357), withdrawn in v2.5 in favour of ERR-3.
    msa.push('', '', [[first.code, errorConditionText(first.code) ?? first.text, 'HL70357']]);
  }
  const segments = [
    joinSegment('MSH', mshFields, d),
    joinSegment(
      'MSA',
      msa.map((f) => encodeField(f, d)),
      d,
    ),
    ...errSegmentFields(errors, version).map((fields) =>
      joinSegment(
        'ERR',
        fields.map((f) => encodeField(f, d)),
        d,
      ),
    ),
  ];
  return segments.map((s) => `${s}\r`).join('');
}
