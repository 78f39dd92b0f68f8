/**
 * The accession number Lightbox gives an order that arrives without one: a prefix and the order's row
 * number, so it is unique without a separate counter and fits AccessionNumber's SH (16 characters).
 */
export function accessionNumberFor(orderPk: number, prefix = 'LB'): string {
  return `${prefix}${String(orderPk).padStart(8, '0')}`;
}

/** The scheduled procedure step ID Lightbox gives a step created without one (SH, 16 characters). */
export function stepIdFor(stepPk: number): string {
  return `SPS${String(stepPk).padStart(8, '0')}`;
}
