import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const script = fileURLToPath(new URL('../../scripts/generate-dictionary.mjs', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'lightbox-dictionary-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('generate-dictionary.mjs', () => {
  it('regenerates the committed files byte for byte', () => {
    execFileSync(process.execPath, [script, '--out', outDir, '--quiet'], { stdio: 'pipe' });
    for (const file of ['data-elements.generated.ts', 'keywords.generated.ts', 'uids.generated.ts']) {
      const fresh = readFileSync(join(outDir, file), 'utf8');
      const committed = readFileSync(join(here, file), 'utf8');
      expect(
        fresh === committed,
        `${file} differs: run node packages/dicom/scripts/generate-dictionary.mjs`,
      ).toBe(true);
    }
  });
});
