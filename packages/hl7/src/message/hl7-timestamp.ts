/** The parts of an HL7 DTM/TS value, as written (no padding of a shorter precision). */
export interface Hl7TimestampParts {
  /** YYYY[MM[DD]]. */
  date: string;
  /** HH[MM[SS[.S[S[S[S]]]]]]. */
  time?: string;
  /** +/-ZZZZ. */
  offset?: string;
}

// HL7 v2.5.1 §2.A.22 DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]; TS (§2.A.77) carries a DTM
// as its first component.
const dtm =
  /^(\d{4}(?:(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])?)?)(?:(([01]\d|2[0-3])(?:[0-5]\d(?:[0-5]\d(?:\.\d{1,4})?)?)?))?([+-](?:[01]\d|2[0-3])[0-5]\d)?$/;

/** Splits an HL7 DTM/TS value into date, time and offset as given; undefined when it is not one. */
export function parseHl7Timestamp(value: string): Hl7TimestampParts | undefined {
  const m = dtm.exec(value.trim());
  if (m === null) return undefined;
  const [, date, month, day, time, , offset] = m;
  if (time !== undefined && (month === undefined || day === undefined)) return undefined;
  const parts: Hl7TimestampParts = { date: date! };
  if (time !== undefined) parts.time = time;
  if (offset !== undefined) parts.offset = offset;
  return parts;
}

/** Formats a Date as an HL7 DTM in UTC: YYYYMMDDHHMMSS+0000 (HL7 v2.5.1 §2.A.22). */
export function formatHl7Timestamp(date: Date): string {
  const p = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    p(date.getUTCFullYear(), 4) +
    p(date.getUTCMonth() + 1) +
    p(date.getUTCDate()) +
    p(date.getUTCHours()) +
    p(date.getUTCMinutes()) +
    p(date.getUTCSeconds()) +
    '+0000'
  );
}
