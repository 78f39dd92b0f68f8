import type { Hl7Delimiters } from './delimiters.js';

/** One repetition of a field: its components, each a list of subcomponents (HL7 v2.5.1 §2.5.3). */
export interface Hl7Repetition {
  /** Component c, subcomponent s (1-based), unescaped; '' when absent. */
  value(component?: number, subcomponent?: number): string;
  /** Unescaped subcomponents per component. */
  readonly components: readonly (readonly string[])[];
}

/** One field of a segment (HL7 v2.5.1 §2.5.3). */
export interface Hl7Field {
  /** At least one (possibly empty). */
  readonly repetitions: readonly Hl7Repetition[];
  /** First repetition's component c, subcomponent s (1-based), unescaped; '' when absent. */
  value(component?: number, subcomponent?: number): string;
  /** True when the field is absent or empty. */
  readonly isEmpty: boolean;
  /**
   * HL7 explicit null `""` (v2.5.1 §2.5.3: delete the value): true when the raw field is exactly two
   * double quotes. value() then returns the two quotes as they are.
   */
  readonly isNull: boolean;
}

/** One segment (HL7 v2.5.1 §2.5.2). */
export interface Hl7Segment {
  readonly id: string;
  /** Number of fields (excluding the id; for MSH, MSH-1 counts). */
  readonly length: number;
  /** Field n (1-based, HL7 numbering: for MSH, field(1) is the field separator and field(2) the encoding characters). */
  field(n: number): Hl7Field;
}

/** A parsed message. Segment separator is CR; LF and CRLF between segments are accepted on input. */
export interface Hl7Message {
  readonly delimiters: Hl7Delimiters;
  readonly segments: readonly Hl7Segment[];
  /** The first segment with this id, or undefined. */
  segment(id: string): Hl7Segment | undefined;
  /** All segments with this id, in order. */
  segmentsOf(id: string): Hl7Segment[];
  /**
   * Value at a terser-like path: 'PID-5.1', 'MSH-9.2', 'PID-3[2].4.1', 'OBX(2)-5' (1-based; field
   * repetition in [], segment occurrence in ()). Unescaped text, '' when absent.
   */
  get(path: string): string;
  /** MSH-9.1. */
  readonly messageType: string;
  /** MSH-9.2. */
  readonly triggerEvent: string;
  /** MSH-9.3. */
  readonly messageStructure: string;
  /** MSH-10. */
  readonly controlId: string;
  /** MSH-11.1. */
  readonly processingId: string;
  /** MSH-12.1. */
  readonly version: string;
  /** MSH-15. */
  readonly acceptAckType: string;
  /** MSH-16. */
  readonly applicationAckType: string;
  /** MSH-18 (first repetition). */
  readonly characterSet: string;
  /** The message text: every segment as received, each ended by CR (HL7 v2.5.1 §2.5.2). */
  toString(): string;
}
