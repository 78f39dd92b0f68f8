/**
 * DICOM date, time and person name values (PS3.5 §6.2) as a reader of a report expects them; a value
 * that does not parse is shown as written rather than dropped.
 */

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const TIME = /^(\d{2})(\d{2})?(\d{2})?(\.\d{1,6})?$/;
const DATE_TIME = /^(\d{8})(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?([+-]\d{4})?$/;

/** `20240315` → `2024-03-15`. */
export function formatDate(value: string): string {
  const m = DATE.exec(value.trim());
  return m === null ? value.trim() : `${m[1]}-${m[2]}-${m[3]}`;
}

/** `101500.25` → `10:15:00.25`, `1015` → `10:15`. */
export function formatTime(value: string): string {
  const m = TIME.exec(value.trim());
  if (m === null) return value.trim();
  return `${m[1]}${m[2] !== undefined ? `:${m[2]}` : ''}${m[3] !== undefined ? `:${m[3]}` : ''}${m[4] ?? ''}`;
}

/** `20240315101500+0100` → `2024-03-15 10:15:00 +0100`. */
export function formatDateTime(value: string): string {
  const m = DATE_TIME.exec(value.trim());
  if (m === null) return value.trim();
  const time = m[2] === undefined ? '' : ` ${formatTime(m[2])}`;
  const offset = m[3] === undefined ? '' : ` ${m[3]}`;
  return `${formatDate(m[1]!)}${time}${offset}`;
}

/**
 * `Family^Given^Middle^Prefix^Suffix` → `Prefix Given Middle Family, Suffix`; the ideographic and
 * phonetic groups (after `=`) follow in parentheses.
 */
export function formatPersonName(value: string): string {
  const groups = value.split('=').map((group) => {
    const [family = '', given = '', middle = '', prefix = '', suffix = ''] = group
      .split('^')
      .map((c) => c.trim());
    const name = [prefix, given, middle, family].filter((c) => c !== '').join(' ');
    return suffix === '' ? name : `${name}, ${suffix}`;
  });
  const [alphabetic = '', ...others] = groups;
  const rest = others.filter((g) => g !== '');
  return rest.length === 0 ? alphabetic : `${alphabetic} (${rest.join(', ')})`.trim();
}
