/* eslint-disable no-restricted-imports -- Node-only test helpers: they run Debian's pydicom and DCMTK. */
/**
 * Test peers on the machine: Debian's python3-pydicom (its test files and the library as an oracle) and
 * DCMTK (dcmdump, dcmftest, dcmdrle…), dicom3tools (dciodvfy). A missing peer is an error naming the
 * Debian package, never a skipped test (the test command installs them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's pydicom data directory. */
export const PYDICOM_DATA = '/usr/lib/python3/dist-packages/pydicom/data';
/** pydicom's test files (parser fixtures). */
export const PYDICOM_TEST_FILES = `${PYDICOM_DATA}/test_files`;
/** pydicom's character set files (David Clunie's examples). */
export const PYDICOM_CHARSET_FILES = `${PYDICOM_DATA}/charset_files`;
/** Debian's Python, which has python3-pydicom (the default `python3` may be another installation). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Throws, naming the package, when Debian's pydicom test data is not installed. */
export function requirePydicomData(): void {
  for (const dir of [PYDICOM_TEST_FILES, PYDICOM_CHARSET_FILES]) {
    if (!existsSync(dir)) {
      throw new Error(
        `${dir} is missing: Debian's python3-pydicom is not installed (apt-get install python3-pydicom; ` +
          'the test command installs it). These tests need its files and are never skipped.',
      );
    }
  }
}

/** One pydicom fixture file. */
export interface PydicomFile {
  /** File name, e.g. `CT_small.dcm`. */
  name: string;
  /** `test_files` or `charset_files`. */
  dir: 'test_files' | 'charset_files';
  path: string;
}

/** Every `*.dcm` of pydicom's test_files and charset_files, sorted; throws when they are not installed. */
export function pydicomFiles(): PydicomFile[] {
  requirePydicomData();
  const out: PydicomFile[] = [];
  for (const dir of ['test_files', 'charset_files'] as const) {
    const base = `${PYDICOM_DATA}/${dir}`;
    for (const name of readdirSync(base)
      .filter((n) => n.endsWith('.dcm'))
      .sort()) {
      out.push({ name, dir, path: `${base}/${name}` });
    }
  }
  return out;
}

/** The path of one pydicom test file (test_files first, then charset_files). */
export function pydicomFile(name: string): string {
  requirePydicomData();
  const path = existsSync(`${PYDICOM_TEST_FILES}/${name}`)
    ? `${PYDICOM_TEST_FILES}/${name}`
    : `${PYDICOM_CHARSET_FILES}/${name}`;
  if (!existsSync(path)) throw new Error(`pydicom test file ${name} is missing from ${PYDICOM_DATA}`);
  return path;
}

function run(command: string, args: readonly string[], packageName: string, input?: string) {
  const result = spawnSync(command, args, { encoding: 'latin1', maxBuffer: 1 << 30, input });
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${command} is not installed (Debian package ${packageName})`);
    throw result.error;
  }
  return result;
}

/**
 * Runs a Python script with Debian's python3 in isolated mode (`-I`: no user site, no current directory
 * on the path) and parses what it prints as JSON. Arguments reach the script as `sys.argv[1:]`.
 */
export function runPython<T = unknown>(script: string, args: readonly string[] = []): T {
  if (!existsSync(SYSTEM_PYTHON)) throw new Error(`${SYSTEM_PYTHON} is missing (Debian package python3)`);
  const result = spawnSync(SYSTEM_PYTHON, ['-I', '-W', 'ignore', '-c', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) {
    if (/No module named .?pydicom/.test(result.stderr)) {
      throw new Error("Debian's python3-pydicom is not installed (apt-get install python3-pydicom)");
    }
    throw new Error(`python failed (${String(result.status)}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

let tempDir: string | undefined;

/** A scratch directory for this test process, removed when the process exits. */
export function testTempDir(): string {
  if (tempDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'lightbox-dicom-test-'));
    tempDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return tempDir;
}

let tempCounter = 0;

/** Writes bytes to a new file in {@link testTempDir} and returns its path. */
export function writeTempFile(bytes: Uint8Array, name = 'object.dcm'): string {
  const path = join(testTempDir(), `${++tempCounter}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

function pathOf(file: string | Uint8Array): string {
  return typeof file === 'string' ? file : writeTempFile(file);
}

/**
 * DCMTK's `dcmdump` of a file or of bytes (Latin-1 text). Throws with DCMTK's messages when it fails;
 * `-q` is not implied, so pass it to silence warnings.
 */
export function dcmdump(file: string | Uint8Array, args: readonly string[] = []): string {
  const result = run('dcmdump', [...args, pathOf(file)], 'dcmtk');
  if (result.status !== 0)
    throw new Error(`dcmdump failed (${String(result.status)}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** DCMTK's `dcmftest`: true when the file is a DICOM Part 10 file (preamble and "DICM"). */
export function dcmftest(file: string | Uint8Array): boolean {
  const result = run('dcmftest', [pathOf(file)], 'dcmtk');
  return result.status === 0 && /^yes:/m.test(result.stdout);
}

/** Runs another DCMTK tool (e.g. `dcmdrle in out`); throws with its output when it fails. */
export function dcmtk(tool: string, args: readonly string[]): string {
  const result = run(tool, args, 'dcmtk');
  if (result.status !== 0)
    throw new Error(`${tool} failed (${String(result.status)}): ${result.stderr}${result.stdout}`);
  return result.stdout + result.stderr;
}

/** dicom3tools' `dciodvfy` (IOD validation): its error and warning lines. */
export function dciodvfy(file: string | Uint8Array): {
  errors: string[];
  warnings: string[];
  output: string;
} {
  const result = run('dciodvfy', [pathOf(file)], 'dicom3tools');
  const output = result.stdout + result.stderr;
  const lines = output.split('\n');
  return {
    errors: lines.filter((l) => l.startsWith('Error')),
    warnings: lines.filter((l) => l.startsWith('Warning')),
    output,
  };
}
