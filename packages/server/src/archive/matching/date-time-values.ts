/**
 * DA and TM values in a form that compares correctly as text (PS3.5 §6.2), used both for the stored
 * index columns and for range matching (PS3.4 §C.2.2.2.5).
 */

/** YYYYMMDD from a DA value (also the legacy YYYY.MM.DD of ACR-NEMA), or undefined when invalid. */
export function normalizeDate(value: string): string | undefined {
  const v = value.trim().replace(/^(\d{4})\.(\d{2})\.(\d{2})$/, '$1$2$3');
  if (!/^\d{8}$/.test(v)) return undefined;
  const month = Number(v.slice(4, 6));
  const day = Number(v.slice(6, 8));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 ? v : undefined;
}

/**
 * HHMMSS.FFFFFF from a TM value (HH, HHMM, HHMMSS, HHMMSS.F…, and the legacy HH:MM:SS), or undefined
 * when invalid. With `ceil`, missing digits are filled with their maximum so that an upper range bound
 * of "12" includes 12:59:59.999999.
 */
export function normalizeTime(value: string, ceil = false): string | undefined {
  const v = value.trim().replace(/:/g, '');
  const match = /^(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,6}))?$/.exec(v);
  if (match === null) return undefined;
  const [, hh, mm, ss, fraction] = match;
  if (Number(hh) > 23 || Number(mm ?? 0) > 59 || Number(ss ?? 0) > 60) return undefined;
  const fill = (digits: string | undefined, max: string, min: string) => digits ?? (ceil ? max : min);
  const frac = fraction === undefined ? (ceil ? '999999' : '000000') : fraction.padEnd(6, ceil ? '9' : '0');
  return `${hh}${fill(mm, '59', '00')}${fill(ss, '59', '00')}.${frac}`;
}
