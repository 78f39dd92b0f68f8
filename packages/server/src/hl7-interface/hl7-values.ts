import {
  Hl7ParseError,
  type Hl7Field,
  type Hl7Message,
  type Hl7Repetition,
  type Hl7Segment,
} from '@lightbox/hl7';
import type { CodedEntry, PriorityValue } from '../ris/order-request.js';
import { Priority } from '../ris/order-request.js';

/** HL7 data types → the DICOM values the RIS keeps (PN, DA, TM, coded entries). */

/** Text of a field: undefined when empty (keep), null for HL7's explicit null `""` (delete). */
export function optionalText(field: Hl7Field, component = 1, subcomponent = 1): string | null | undefined {
  if (field.isNull) return null;
  const value = field.value(component, subcomponent).trim();
  return value === '' ? undefined : value;
}

/** A value that the message must carry (HL7 table 0357 code 101 when it does not). */
export function requiredText(segment: Hl7Segment, field: number, component = 1, subcomponent = 1): string {
  const value = segment.field(field).value(component, subcomponent).trim();
  if (value === '' || value === '""') {
    throw new Hl7ParseError('101', `${segment.id}-${field} is required`, {
      segment: segment.id,
      field,
      ...(component > 1 ? { component } : {}),
    });
  }
  return value;
}

/** The segment the message must carry (code 100 when it does not). */
export function requiredSegment(message: Hl7Message, id: string): Hl7Segment {
  const segment = message.segment(id);
  if (segment === undefined)
    throw new Hl7ParseError('100', `the message has no ${id} segment`, { segment: id });
  return segment;
}

/**
 * An XPN or XCN person name as DICOM PN (family^given^middle^prefix^suffix). XPN puts family, given,
 * second name, suffix, prefix in components 1–5 (HL7 v2.5.1 §2.A.88); XCN shifts them by one behind the
 * ID number (§2.A.89). The surname is the FN's first subcomponent.
 */
export function personName(repetition: Hl7Repetition, firstComponent = 1): string | undefined {
  const c = (n: number) => repetition.value(firstComponent + n, 1).trim();
  const parts = [c(0), c(1), c(2), c(4), c(3)];
  const name = parts.join('^').replace(/\^+$/, '');
  return name === '' ? undefined : name;
}

/** The legal name (type L) of an XPN field, else its first repetition; null for `""`. */
export function patientName(field: Hl7Field): string | null | undefined {
  if (field.isNull) return null;
  const legal = field.repetitions.find((r) => r.value(7) === 'L') ?? field.repetitions[0];
  return legal === undefined ? undefined : personName(legal);
}

/**
 * An XCN (provider) as DICOM PN, its ID and who issued the ID: XCN-9 Assigning Authority (HD), its
 * namespace ID, else its universal ID.
 */
export function provider(field: Hl7Field): { name?: string; id?: string; issuer?: string } {
  const first = field.repetitions[0];
  if (first === undefined) return {};
  const name = personName(first, 2);
  const id = first.value(1).trim();
  const issuer = first.value(9, 1).trim() || first.value(9, 2).trim();
  return {
    ...(name !== undefined ? { name } : {}),
    ...(id !== '' ? { id } : {}),
    ...(id !== '' && issuer !== '' ? { issuer } : {}),
  };
}

/** A DTM/TS value as DICOM DA and TM (time zone offsets dropped: DICOM keeps local times). */
export function dateTime(value: string): { date?: string; time?: string } {
  const match = /^(\d{8})(\d{2,6})?(?:\.\d+)?(?:[+-]\d{4})?$/.exec(value.trim());
  if (match === null) return {};
  const time = match[2] === undefined ? undefined : match[2].padEnd(6, '0');
  return { date: match[1]!, ...(time !== undefined ? { time } : {}) };
}

/** HL7 sex (table 0001) as DICOM PatientSex: M, F, O; unknown is empty. */
export function patientSex(field: Hl7Field): string | null | undefined {
  const value = optionalText(field);
  if (value === undefined || value === null) return value;
  const code = value.toUpperCase();
  if (code === 'M' || code === 'F') return code;
  if (code === 'O' || code === 'A' || code === 'N') return 'O';
  return null;
}

/** A CE/CWE coded entry: identifier, text, coding system (the alternate triplet when the first is empty). */
export function codedEntry(field: Hl7Field): CodedEntry | undefined {
  const code = field.value(1).trim() || field.value(4).trim();
  if (code === '') return undefined;
  const primary = field.value(1).trim() !== '';
  const meaning = (primary ? field.value(2) : field.value(5)).trim() || code;
  const scheme = (primary ? field.value(3) : field.value(6)).trim() || 'L';
  return { code, scheme, meaning };
}

/** HL7 priority (TQ-6, TQ1-9; table 0027) as Requested Procedure Priority. */
export function priorityOf(code: string): PriorityValue {
  switch (code.trim().toUpperCase()) {
    case 'S':
      return Priority.Stat;
    case 'A':
    case 'T':
    case 'C':
      return Priority.High;
    default:
      return Priority.Routine;
  }
}
