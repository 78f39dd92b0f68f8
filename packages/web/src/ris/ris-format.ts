/** Formatting of RIS values for the department's screens: DICOM dates, times, names, ages. */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A DICOM TM ('HHMM', 'HHMMSS', 'HHMMSS.FFF') as 'HH:MM'; '' when there is none. */
export function formatTime(tm: string | null | undefined): string {
  const m = /^(\d{2})(\d{2})/.exec(tm ?? '');
  return m ? `${m[1]}:${m[2]}` : '';
}

/** A DICOM DA (YYYYMMDD) as 'YYYY-MM-DD'; anything else as it is. */
export function formatDate(da: string | null | undefined): string {
  if (da == null) return '';
  return /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : da;
}

/** An epoch time in local time as 'YYYY-MM-DD HH:MM:SS'. */
export function formatTimestamp(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The local date of a moment as DICOM DA. */
export function dicomDate(date: Date): string {
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
}

/** The local time of a moment as DICOM TM (HHMMSS). */
export function dicomTime(date: Date): string {
  return `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** A DICOM DA moved by some days (calendar days, whatever the time zone). */
export function addDays(da: string, days: number): string {
  const date = new Date(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8)) + days);
  return dicomDate(date);
}

/** The value of an `<input type="date">` (YYYY-MM-DD) as DICOM DA; '' when blank or malformed. */
export function dateFromInput(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value.replaceAll('-', '') : '';
}

/** A DICOM DA as the value of an `<input type="date">`. */
export function dateToInput(da: string | null | undefined): string {
  return da != null && /^\d{8}$/.test(da) ? formatDate(da) : '';
}

/** The value of an `<input type="time">` (HH:MM or HH:MM:SS) as DICOM TM 'HHMM'; '' when blank. */
export function timeFromInput(value: string): string {
  const m = /^(\d{2}):(\d{2})/.exec(value);
  return m ? `${m[1]}${m[2]}` : '';
}

/** The weekday and date of a DICOM DA, for headings: 'Mon 2024-03-04'. */
export function formatDay(da: string): string {
  const date = new Date(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8)));
  const weekday = date.toLocaleDateString('en-GB', { weekday: 'short' });
  return `${weekday} ${formatDate(da)}`;
}

/**
 * A DICOM PN ('FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX', maybe with '=' ideographic groups) as
 * 'Family, Given Middle'; '' when there is none.
 */
export function personName(pn: string | null | undefined): string {
  const alphabetic = (pn ?? '').split('=')[0] ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic
    .split('^')
    .map((part) => part.trim());
  const rest = [prefix, given, middle].filter(Boolean).join(' ');
  const full = [family, rest].filter(Boolean).join(', ');
  return suffix ? `${full} ${suffix}` : full;
}

/** A DICOM PN from the family and given names typed in a form ('' when both are blank). */
export function toPersonName(family: string, given: string): string {
  const clean = (s: string) => s.trim().replaceAll('^', ' ').replaceAll('=', ' ');
  const f = clean(family);
  const g = clean(given);
  return g ? `${f}^${g}` : f;
}

/**
 * A name typed as free text as DICOM PN: 'Welby, Marcus' → 'Welby^Marcus'; a text that already has '^'
 * is kept; 'Marcus Welby' is kept as the family name component (it cannot be split safely).
 */
export function personNameFromText(text: string): string {
  const value = text.trim();
  if (value === '' || value.includes('^')) return value;
  const comma = value.indexOf(',');
  if (comma < 0) return value;
  return toPersonName(value.slice(0, comma), value.slice(comma + 1));
}

/**
 * The age of a patient on a day, as the department says it: years from 2 years on, months under 2 years,
 * days under a month ('45y', '18m', '12d'); '' without a valid birth date or one after the day.
 */
export function ageOn(birthDate: string | null | undefined, on: string): string {
  if (birthDate == null || !/^\d{8}$/.test(birthDate) || !/^\d{8}$/.test(on)) return '';
  if (birthDate > on) return '';
  const [by, bm, bd] = [birthDate.slice(0, 4), birthDate.slice(4, 6), birthDate.slice(6, 8)].map(Number) as [
    number,
    number,
    number,
  ];
  const [y, m, d] = [on.slice(0, 4), on.slice(4, 6), on.slice(6, 8)].map(Number) as [number, number, number];
  let months = (y - by) * 12 + (m - bm);
  if (d < bd) months -= 1;
  if (months >= 24) return `${Math.floor(months / 12)}y`;
  if (months >= 1) return `${months}m`;
  const days = Math.round((Date.UTC(y, m - 1, d) - Date.UTC(by, bm - 1, bd)) / 86_400_000);
  return `${days}d`;
}

/** Age and sex together ('45y F'), leaving out what is unknown. */
export function ageSex(
  birthDate: string | null | undefined,
  sex: string | null | undefined,
  on: string,
): string {
  return [ageOn(birthDate, on), sex ?? ''].filter(Boolean).join(' ');
}
