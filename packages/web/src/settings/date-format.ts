import type { DateFormat } from './user-settings';

/**
 * A DICOM date (YYYYMMDD) as the user chose to read dates: YYYY-MM-DD, or as the browser's language writes
 * them (01/03/2024 in en-GB, 3/1/2024 in en-US). Anything that is not a date is shown as it is.
 */
export function formatDicomDate(date: string, format: DateFormat, locale?: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (match === null) return date;
  const [, year, month, day] = match;
  if (format === 'iso') return `${year}-${month}-${day}`;
  // Noon UTC, formatted in UTC: the calendar day never shifts with the browser's time zone.
  const utc = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), 12));
  // Date.UTC rolls over (month 13 is January): a date that is not a real day is shown as it is.
  if (utc.getUTCMonth() !== Number(month) - 1 || utc.getUTCDate() !== Number(day)) return date;
  return utc.toLocaleDateString(locale, { timeZone: 'UTC' });
}
