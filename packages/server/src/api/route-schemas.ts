/** Path parameters with a numeric `id` (token and notice IDs): anything else is a 400, never a database error. */
export const numericId = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;
