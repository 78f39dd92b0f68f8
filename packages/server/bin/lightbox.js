#!/usr/bin/env node
// The `lightbox` command (npx lightbox …). The TypeScript is compiled by `npm install` (prepare script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/lightbox-cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'Lightbox is not built yet: run "npm install" (or "npm run build") in the repository root.\n',
  );
  process.exit(1);
}
const { runCli } = await import(cli.href);
process.exitCode = await runCli(process.argv.slice(2));
