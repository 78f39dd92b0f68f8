/** A JSON value, as a merge patch and the document it changes are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function isObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How deeply a JSON value nests (a scalar is 0), counted without recursion, so that a hostile body
 * nested a hundred thousand levels deep is measured rather than overflowing the stack.
 */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Applies a JSON merge patch (RFC 7396) to `target`: an object's members are merged member by member,
 * `null` removes a member, anything else (arrays included) replaces what was there. Neither argument is
 * changed; the result is a new value. A `__proto__` member names no setting and is left out (assigning
 * it would change the result's prototype). Callers bound the patch's depth first ({@link jsonDepth}).
 */
export function applyMergePatch(target: unknown, patch: unknown): JsonValue {
  if (!isObject(patch)) return structuredClone(patch as JsonValue);
  const result: Record<string, JsonValue> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') continue;
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
