/**
 * A number as a DS value: PS3.5 Table 6.2-1 allows at most 16 characters, so the number is shortened
 * (fewer significant digits) until it fits, e.g. 0.1 + 0.2 = 0.30000000000000004 → "0.3".
 */
export function decimalString(n: number): string {
  let text = String(n);
  for (let digits = 16; text.length > 16 && digits > 0; digits--)
    text = String(Number(n.toPrecision(digits)));
  return text;
}
