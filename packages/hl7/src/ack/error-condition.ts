/** HL7 table 0357 (message error condition codes, HL7 v2.5.1 §2.14.5.3) with their descriptions. */
export const ErrorCondition = {
  '0': 'Message accepted',
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '205': 'Duplicate key identifier',
  '206': 'Application record locked',
  '207': 'Application internal error',
} as const;

/** The table 0357 description of a code, or undefined for a code outside the table. */
export function errorConditionText(code: string): string | undefined {
  return Object.hasOwn(ErrorCondition, code)
    ? ErrorCondition[code as keyof typeof ErrorCondition]
    : undefined;
}
