import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// DESIGN §2: the parse/encode half of @lightbox/hl7 is isomorphic (it runs in the browser too); only
// mllp/ may use node: modules.
const root = fileURLToPath(new URL('.', import.meta.url));

describe('isomorphic message code', () => {
  it.each(['message', 'ack'])('src/%s imports no Node.js modules', (folder) => {
    const files = readdirSync(join(root, folder)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const source = readFileSync(join(root, folder, file), 'utf8');
      expect(source, file).not.toMatch(/from '(node:|fs|path|net|tls|stream|buffer|events)/);
      expect(source, file).not.toMatch(/\bBuffer\b|\bprocess\./);
    }
  });
});
