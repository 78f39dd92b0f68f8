import { encodeSegment } from '../message/encode-segment.js';
import { formatHl7Timestamp } from '../message/hl7-timestamp.js';
import { errSegmentFields } from './build-ack.js';

/** Options of buildRejectForUnparsable. */
export interface RejectForUnparsableOptions {
  /** MSH-3 of the ACK. */
  sendingApplication: string;
  /** MSH-10 of the ACK. */
  controlId: string;
  /** HL7 table 0357 code for ERR-3, e.g. '100' or '102'. */
  code: string;
  /** ERR-8 user message and MSA-3 (cut to 80 characters). */
  text: string;
  /** MSH-7; now when not given. */
  timestamp?: Date;
  /** MSA-2, when the control id of the rejected message could still be read. */
  originalControlId?: string;
}

/**
 * A minimal ACK for bytes that could not be parsed at all (no usable MSH): v2.5.1, default delimiters,
 * MSH-9 ACK, MSH-11 P, MSA-1 AR and one ERR (HL7 v2.5.1 §2.9.2, §2.14.1, §2.14.5). Segments end with CR.
 */
export function buildRejectForUnparsable(options: RejectForUnparsableOptions): string {
  const ts = formatHl7Timestamp(options.timestamp ?? new Date());
  const segments = [
    encodeSegment('MSH', [
      options.sendingApplication,
      '',
      '',
      '',
      ts,
      '',
      'ACK',
      options.controlId,
      'P',
      '2.5.1',
    ]),
    encodeSegment('MSA', ['AR', options.originalControlId ?? '', options.text.slice(0, 80)]),
    ...errSegmentFields([{ code: options.code, text: options.text }], '2.5.1').map((f) =>
      encodeSegment('ERR', f),
    ),
  ];
  return segments.map((s) => `${s}\r`).join('');
}
