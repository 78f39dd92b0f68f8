import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Archive } from '../archive/archive.js';
import type { Actor } from '../security/actor.js';

/** The result of a bulk import. */
export interface ImportSummary {
  files: number;
  stored: number;
  duplicates: number;
  /** Rejected files by reason, with up to a few example paths each. */
  rejected: Map<string, { count: number; examples: string[] }>;
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/** Counts the files under a folder (for the progress bar). */
export async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for await (const _ of walk(dir)) n++;
  return n;
}

/**
 * Imports every file under a folder through the same `storeInstance` as STOW-RS and C-STORE, a few at a
 * time, streaming each file (nothing is buffered whole). Files that are not DICOM are reported with the
 * reason, never fatal.
 */
export async function importFolder(
  archive: Archive,
  dir: string,
  actor: Actor,
  onProgress: (done: number, summary: ImportSummary) => void,
  concurrency = 4,
): Promise<ImportSummary> {
  const summary: ImportSummary = { files: 0, stored: 0, duplicates: 0, rejected: new Map() };
  const files = walk(dir);
  const reject = (file: string, reason: string) => {
    const entry = summary.rejected.get(reason) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(file);
    summary.rejected.set(reason, entry);
  };
  const worker = async () => {
    for (;;) {
      const next = await files.next();
      if (next.done) return;
      const file = next.value;
      const outcome = await archive.storeInstance(
        createReadStream(file, { highWaterMark: 256 * 1024 }),
        actor,
      );
      summary.files++;
      if (outcome.ok && outcome.status === 'already-stored') summary.duplicates++;
      else if (outcome.ok) summary.stored++;
      // Group by what went wrong, not where in the file: the byte offset is per file.
      else reject(file, outcome.error.detail.replace(/ \(at byte \d+\)$/, ''));
      onProgress(summary.files, summary);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summary;
}
