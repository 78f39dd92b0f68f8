import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources of sibling packages, never a stale dist/.
    alias: {
      '@lightbox/dicom/test-support': fileURLToPath(
        new URL('./packages/dicom/src/test-support/index.ts', import.meta.url),
      ),
      '@lightbox/dicom': fileURLToPath(new URL('./packages/dicom/src/index.ts', import.meta.url)),
      '@lightbox/dimse/test-support': fileURLToPath(
        new URL('./packages/dimse/src/test-support/index.ts', import.meta.url),
      ),
      '@lightbox/dimse': fileURLToPath(new URL('./packages/dimse/src/index.ts', import.meta.url)),
      '@lightbox/hl7': fileURLToPath(new URL('./packages/hl7/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/web/e2e/**/*.test.ts', 'fixtures/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
