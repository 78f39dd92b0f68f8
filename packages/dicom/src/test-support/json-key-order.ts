/** Checks on serialised DICOM JSON that `JSON.parse` cannot make (it reorders integer-like keys). */

/** The keys of every object of a JSON text, in the order they are written. */
export function jsonKeyOrders(text: string): string[][] {
  const open: string[][] = [];
  const out: string[][] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      let key = '';
      while (text[j] !== '"') {
        if (text[j] === '\\') j++;
        key += text[j];
        j++;
      }
      let k = j + 1;
      while (/\s/.test(text[k] ?? '')) k++;
      if (text[k] === ':') open.at(-1)?.push(key);
      i = j;
    } else if (c === '{') {
      open.push([]);
    } else if (c === '}') {
      out.push(open.pop() ?? []);
    }
  }
  return out;
}

/** The objects keyed by tags whose keys are not in ascending order (PS3.18 §F.2.2); empty when all are. */
export function tagOrderViolations(text: string): string[][] {
  return jsonKeyOrders(text).filter(
    (keys) => keys.every((k) => /^[0-9A-F]{8}$/.test(k)) && keys.some((k, i) => i > 0 && keys[i - 1]! > k),
  );
}
