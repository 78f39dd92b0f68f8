import { encodePart10Header, getString, readPart10, Tag } from '@lightbox/dicom';
import { createReadStream, type Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
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
  /** Rejected files (and folders that could not be read) by reason, with up to a few example paths each. */
  rejected: Map<string, { count: number; examples: string[] }>;
}

/** A file to import, or a folder that could not be listed (reported, the walk goes on). */
type Found = { file: string } | { unreadable: string; reason: string };

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/**
 * What a command-line argument names: the file itself, or every file under a folder in name order.
 * Links are followed, to files and to folders (exports and mounted media use them); a folder already
 * walked, by whatever path, is not walked again, so a link back up the tree ends.
 */
async function* filesAt(target: string, walked: Set<string>, known?: Dirent): AsyncGenerator<Found> {
  let isFile = known?.isFile() ?? false;
  let isDirectory = known?.isDirectory() ?? false;
  // Only what readdir could not tell (an argument, a link) is looked up.
  if (known === undefined || known.isSymbolicLink()) {
    try {
      const info = await stat(target);
      [isFile, isDirectory] = [info.isFile(), info.isDirectory()];
    } catch (error) {
      yield { unreadable: target, reason: `the file or folder cannot be read (${codeOf(error)})` };
      return;
    }
  }
  if (isFile) {
    yield { file: target };
    return;
  }
  if (!isDirectory) return;
  let entries;
  try {
    const real = await realpath(target);
    if (walked.has(real)) return;
    walked.add(real);
    entries = await readdir(target, { withFileTypes: true });
  } catch (error) {
    yield { unreadable: target, reason: `the folder cannot be read (${codeOf(error)})` };
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) yield* filesAt(path.join(target, entry.name), walked, entry);
}

async function* foundIn(targets: readonly string[]): AsyncGenerator<Found> {
  const walked = new Set<string>();
  for (const target of targets) yield* filesAt(target, walked);
}

/** Counts the files the targets name (for the progress bar). */
export async function countFiles(targets: readonly string[]): Promise<number> {
  let n = 0;
  for await (const _ of foundIn(targets)) n++;
  return n;
}

/** PS3.10 §8.6 reserves this File ID for the medium's directory (PS3.3 F.2). */
function isMediaDirectory(file: string): boolean {
  return path.basename(file).toUpperCase() === 'DICOMDIR';
}

/** What is stored from a file: a stream of it, made into Part 10 when it held a bare data set. */
interface Source {
  stream: AsyncIterable<Uint8Array>;
  bare: boolean;
  /** Closes the file, read to its end or not (a refused object is not read further). */
  close(): void;
}

const CHUNK = 256 * 1024;

/**
 * A file holding a bare data set (ACR-NEMA-era media, some exports and toolkits write no preamble or
 * File Meta Information) as a Part 10 stream: a header made from its SOP Class and Instance UIDs and
 * the transfer syntax its first elements show, then its data set byte for byte, as C-STORE stores what
 * it receives. Undefined when the file does not read as a data set naming both UIDs: it is then
 * reported as not DICOM.
 */
async function bareDataSetAsPart10(file: string): Promise<Source | undefined> {
  const probe = createReadStream(file, { highWaterMark: 64 * 1024 });
  let header;
  try {
    header = await readPart10(probe, { allowMissingPreamble: true, stopAtTag: Tag.PixelData });
  } catch {
    return undefined;
  } finally {
    probe.destroy(); // read only as far as the header
  }
  const sopClassUid = getString(header.dataSet, Tag.SOPClassUID);
  const sopInstanceUid = getString(header.dataSet, Tag.SOPInstanceUID);
  if (sopClassUid === undefined || sopInstanceUid === undefined || header.deflated) return undefined;
  const prefix = encodePart10Header({
    sopClassUid,
    sopInstanceUid,
    transferSyntaxUid: header.transferSyntaxUid,
  });
  const dataSet = createReadStream(file, { start: header.dataSetOffset, highWaterMark: CHUNK });
  return {
    stream: (async function* () {
      yield prefix;
      yield* dataSet as AsyncIterable<Buffer>;
    })(),
    bare: true,
    close: () => dataSet.destroy(),
  };
}

/**
 * A Part 10 file (a 128-byte preamble, then "DICM", PS3.10 §7.1) is opened once: its first bytes are
 * read from the handle the stored stream then reads, and which closes with it. Other files are probed
 * for a bare data set, which needs reads of its own (rare: old media).
 */
async function sourceOf(file: string): Promise<Source> {
  const handle = await open(file, 'r');
  let part10: boolean;
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(132), 0, 132, 0);
    part10 = bytesRead === 132 && buffer.toString('latin1', 128, 132) === 'DICM';
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (part10) {
    const stream = handle.createReadStream({ start: 0, highWaterMark: CHUNK });
    return { stream, bare: false, close: () => stream.destroy() };
  }
  await handle.close();
  const wrapped = await bareDataSetAsPart10(file);
  if (wrapped !== undefined) return wrapped;
  const stream = createReadStream(file, { highWaterMark: CHUNK });
  return { stream, bare: false, close: () => stream.destroy() };
}

/**
 * Imports every file the targets (files or folders) name through the same `storeInstance` as STOW-RS
 * and C-STORE, a few at a time, streaming each file (nothing is buffered whole) and closing it once
 * stored or refused. Files that are not DICOM, and files and folders that cannot be read, are reported
 * with the reason, never fatal. Should storing itself fail (the database gone), the other workers finish
 * the file they hold before the error is raised, so nothing is left half-written when the caller closes.
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
  const found = foundIn(targets);
  let failed = false;
  const reject = (file: string, reason: string) => {
    const entry = summary.rejected.get(reason) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(file);
    summary.rejected.set(reason, entry);
  };
  const importOne = async (file: string) => {
    if (isMediaDirectory(file)) {
      summary.directories++;
      return;
    }
    let source: Source;
    try {
      source = await sourceOf(file);
    } catch (error) {
      // A file that cannot be read (permissions, a medium's read error) is reported like any other.
      reject(file, `the file cannot be read (${codeOf(error)})`);
      return;
    }
    try {
      const outcome = await archive.storeInstance(source.stream, actor);
      if (outcome.ok && outcome.status === 'already-stored') summary.duplicates++;
      else if (outcome.ok) {
        summary.stored++;
        if (source.bare) summary.bare++;
      }
      // Group by what went wrong, not where in the file: the byte offset is per file.
      else reject(file, outcome.error.detail.replace(/ \(at byte \d+\)$/, ''));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code !== 'string') throw error;
      reject(file, `the file cannot be read (${code})`);
    } finally {
      source.close();
    }
  };
  const worker = async () => {
    while (!failed) {
      const next = await found.next();
      if (next.done) return;
      summary.files++;
      try {
        if ('file' in next.value) await importOne(next.value.file);
        else reject(next.value.unreadable, next.value.reason);
      } catch (error) {
        failed = true;
        throw error;
      }
      onProgress(summary.files, summary);
    }
  };
  const results = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return summary;
}
