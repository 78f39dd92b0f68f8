import { encodePart10Header, getString, readPart10, Tag } from '@lightbox/dicom';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Archive } from '../archive/archive.js';
import type { Actor } from '../security/actor.js';

/** The result of a bulk import. */
export interface ImportSummary {
  files: number;
  stored: number;
  duplicates: number;
  /** Of those stored, files that held a bare data set (no preamble and "DICM"): stored with a header made for them. */
  bare: number;
  /** DICOMDIR files passed over: a medium's directory, whose instances are imported from their own files. */
  directories: number;
  /** Rejected files by reason, with up to a few example paths each. */
  rejected: Map<string, { count: number; examples: string[] }>;
}

/**
 * The files a command-line argument names: the file itself, or every file under a folder in name order.
 * A link to a file is followed (exports and mounted media use them); a link to a folder is not, since
 * one pointing back up the tree would never end.
 */
async function* filesAt(target: string): AsyncGenerator<string> {
  const info = await stat(target);
  if (info.isFile()) {
    yield target;
    return;
  }
  const entries = await readdir(target, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) yield* filesAt(full);
    else if (entry.isFile()) yield full;
    else if (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isFile()) yield full;
  }
}

async function* filesOf(targets: readonly string[]): AsyncGenerator<string> {
  for (const target of targets) yield* filesAt(target);
}

/** Counts the files the targets name (for the progress bar). */
export async function countFiles(targets: readonly string[]): Promise<number> {
  let n = 0;
  for await (const _ of filesOf(targets)) n++;
  return n;
}

/** PS3.10 §8.6 reserves this File ID for the medium's directory (PS3.3 F.2). */
function isMediaDirectory(file: string): boolean {
  return path.basename(file).toUpperCase() === 'DICOMDIR';
}

/** True when the file starts as PS3.10 §7.1 asks: a 128-byte preamble, then "DICM". */
async function hasPart10Prefix(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(132), 0, 132, 0);
    return bytesRead === 132 && buffer.toString('latin1', 128, 132) === 'DICM';
  } finally {
    await handle.close();
  }
}

/**
 * A file holding a bare data set (ACR-NEMA-era media, some exports and toolkits write no preamble or
 * File Meta Information) as a Part 10 stream: a header made from its SOP Class and Instance UIDs and
 * the transfer syntax its first elements show, then its data set byte for byte, as C-STORE stores what
 * it receives. Undefined when the file does not read as a data set naming both UIDs: it is then
 * reported as not DICOM.
 */
async function bareDataSetAsPart10(file: string): Promise<AsyncIterable<Uint8Array> | undefined> {
  let header;
  try {
    header = await readPart10(createReadStream(file, { highWaterMark: 64 * 1024 }), {
      allowMissingPreamble: true,
      stopAtTag: Tag.PixelData,
    });
  } catch {
    return undefined;
  }
  const sopClassUid = getString(header.dataSet, Tag.SOPClassUID);
  const sopInstanceUid = getString(header.dataSet, Tag.SOPInstanceUID);
  if (sopClassUid === undefined || sopInstanceUid === undefined || header.deflated) return undefined;
  const prefix = encodePart10Header({
    sopClassUid,
    sopInstanceUid,
    transferSyntaxUid: header.transferSyntaxUid,
  });
  return (async function* () {
    yield prefix;
    yield* createReadStream(file, {
      start: header.dataSetOffset,
      highWaterMark: 256 * 1024,
    }) as AsyncIterable<Buffer>;
  })();
}

/**
 * Imports every file the targets (files or folders) name through the same `storeInstance` as STOW-RS
 * and C-STORE, a few at a time, streaming each file (nothing is buffered whole). Files that are not
 * DICOM are reported with the reason, never fatal.
 */
export async function importFiles(
  archive: Archive,
  targets: readonly string[],
  actor: Actor,
  onProgress: (done: number, summary: ImportSummary) => void,
  concurrency = 4,
): Promise<ImportSummary> {
  const summary: ImportSummary = {
    files: 0,
    stored: 0,
    duplicates: 0,
    bare: 0,
    directories: 0,
    rejected: new Map(),
  };
  const files = filesOf(targets);
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
      summary.files++;
      if (isMediaDirectory(file)) {
        summary.directories++;
        onProgress(summary.files, summary);
        continue;
      }
      let outcome: Awaited<ReturnType<Archive['storeInstance']>>;
      let bare = false;
      try {
        const wrapped = (await hasPart10Prefix(file)) ? undefined : await bareDataSetAsPart10(file);
        bare = wrapped !== undefined;
        outcome = await archive.storeInstance(
          wrapped ?? createReadStream(file, { highWaterMark: 256 * 1024 }),
          actor,
        );
      } catch (error) {
        // A file that cannot be read (permissions, a medium's read error) is reported like any other.
        const code = (error as NodeJS.ErrnoException).code;
        if (typeof code !== 'string') throw error;
        reject(file, `the file cannot be read (${code})`);
        onProgress(summary.files, summary);
        continue;
      }
      if (outcome.ok && outcome.status === 'already-stored') summary.duplicates++;
      else if (outcome.ok) {
        summary.stored++;
        if (bare) summary.bare++;
      }
      // Group by what went wrong, not where in the file: the byte offset is per file.
      else reject(file, outcome.error.detail.replace(/ \(at byte \d+\)$/, ''));
      onProgress(summary.files, summary);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summary;
}
