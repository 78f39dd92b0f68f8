import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Fastify's own validator removes unknown properties and coerces types ("50" becomes 50): a settings
 * document with a key this version does not know, or a value of the wrong type, must be refused instead,
 * so the routes that keep such documents validate with an Ajv of their own that changes nothing.
 */
export const strictAjv = new Ajv({
  allErrors: false,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
});

/** Where a document that `validate` just refused breaks its schema, and how. */
export interface SchemaViolation {
  /** A JSON pointer into the document (`/0/layout/rows`; `/` for the whole), naming an unknown key too. */
  where: string;
  /** What the schema says of it (`must be <= 3`, `must NOT have additional properties`). */
  message: string;
  /** The same place as a request parameter (`0.layout.rows`; `body` for the whole). */
  parameter: string;
}

/** The first thing wrong with the document `validate` refused, for a 400 that says what to change. */
export function schemaViolation(validate: ValidateFunction): SchemaViolation {
  const [error] = validate.errors ?? [];
  const extra = error?.params as { additionalProperty?: string } | undefined;
  const where = `${error?.instancePath ?? ''}${extra?.additionalProperty !== undefined ? `/${extra.additionalProperty}` : ''}`;
  return {
    where: where || '/',
    message: error?.message ?? '',
    parameter: where.slice(1).replaceAll('/', '.') || 'body',
  };
}
