/**
 * Module hooks (node:module register) that let a worker thread run this folder's TypeScript sources
 * directly: used only when codec-worker-pool.ts itself runs as TypeScript (under Vitest). Imports written
 * with the `.js` extension (NodeNext) resolve to the `.ts` file beside them, which TypeScript transpiles
 * module by module (types are only stripped; the type check is tsc's job).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ts = createRequire(import.meta.url)('typescript');

/** Resolves a relative `./x.js` import of a TypeScript module to `./x.ts` when that exists. */
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
  }
  return next(specifier, context);
}

/** Loads `.ts` files as ES modules transpiled by TypeScript. */
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const output = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
    },
  });
  return { format: 'module', source: output.outputText, shortCircuit: true };
}
