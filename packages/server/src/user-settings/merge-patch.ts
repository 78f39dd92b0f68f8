/** A JSON value, as a merge patch and the document it changes are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function isObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies a JSON merge patch (RFC 7396) to `target`: an object's members are merged member by member,
 * `null` removes a member, anything else (arrays included) replaces what was there. Neither argument is
 * changed; the result is a new value.
 */
export function applyMergePatch(target: unknown, patch: unknown): JsonValue {
  if (!isObject(patch)) return structuredClone(patch as JsonValue);
  const result: Record<string, JsonValue> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
