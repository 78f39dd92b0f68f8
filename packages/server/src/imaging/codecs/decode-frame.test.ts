/**
 * The worker pool: decodeFrame runs the codecs in worker threads. Under Vitest the workers run this
 * folder's TypeScript through module hooks (ts-worker-hooks.mjs); one test compiles the folder with tsc
 * and runs the JavaScript worker the way dist/ does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { readPart10 } from '@lightbox/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecError } from './codec-error.js';
import { CodecWorkerPool } from './codec-worker-pool.js';
import { closeCodecWorkers, decodeFrame } from './decode-frame.js';
import type { FrameInfo } from './frame-info.js';
import { readEncodedFrames } from './read-encoded-frames.js';
import { readFrameInfo } from './read-frame-info.js';

const run = promisify(execFile);
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '../../../../..');

interface Sample {
  syntax: string;
  info: FrameInfo;
  frames: Uint8Array[];
}

async function sample(name: string): Promise<Sample> {
  const { dataSet, transferSyntaxUid } = await readPart10(readFileSync(join(PYDICOM, name)), {
    readPixelData: true,
  });
  return { syntax: transferSyntaxUid, info: readFrameInfo(dataSet), frames: readEncodedFrames(dataSet)! };
}

async function native(name: string): Promise<Uint8Array> {
  const { dataSet } = await readPart10(readFileSync(join(PYDICOM, name)), { readPixelData: true });
  return dataSet.get(0x7fe00010)!.bytes!;
}

const COMPRESSED_MR = ['MR_small_RLE.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'MR_small_jp2klossless.dcm'];
let work: string;
let original: Uint8Array;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lightbox-codec-pool-'));
  original = await native('MR_small.dcm');
});
afterAll(async () => {
  await closeCodecWorkers();
  rmSync(work, { recursive: true, force: true });
});

describe('decodeFrame', () => {
  it.each(COMPRESSED_MR)('decodes %s in a worker to the original pixels', async (name) => {
    const { syntax, info, frames } = await sample(name);
    const frame = await decodeFrame(syntax, frames[0]!, info);
    expect(Buffer.from(frame.pixels).equals(Buffer.from(original))).toBe(true);
    expect(frame).toMatchObject({
      photometricInterpretation: 'MONOCHROME2',
      planarConfiguration: 0,
      bitsAllocated: 16,
    });
  });

  it('decodes many frames at once on several workers, each to the right result', async () => {
    const dose = await sample('rtdose_rle.dcm');
    const doseFrames = (await native('rtdose.dcm')).length / dose.frames.length;
    const expected = await native('rtdose.dcm');
    const jobs = [];
    for (let round = 0; round < 3; round++) {
      for (const name of COMPRESSED_MR) {
        const { syntax, info, frames } = await sample(name);
        jobs.push(
          decodeFrame(syntax, frames[0]!, info).then((frame) =>
            expect(Buffer.from(frame.pixels).equals(Buffer.from(original))).toBe(true),
          ),
        );
      }
      dose.frames.forEach((encoded, i) => {
        const want = expected.subarray(i * doseFrames, (i + 1) * doseFrames);
        jobs.push(
          decodeFrame(dose.syntax, encoded.slice(), dose.info).then((frame) =>
            expect(Buffer.from(frame.pixels).equals(Buffer.from(want))).toBe(true),
          ),
        );
      });
    }
    await Promise.all(jobs);
  });

  it('transfers a buffer that the view covers whole, and copies one it does not', async () => {
    const { syntax, info, frames } = await sample('MR_small_RLE.dcm');
    const own = frames[0]!.slice();
    await decodeFrame(syntax, own, info);
    expect(own.buffer.byteLength).toBe(0); // detached: moved to the worker, not copied

    const backing = new Uint8Array(frames[0]!.length + 10);
    backing.set(frames[0]!, 5);
    const view = backing.subarray(5, 5 + frames[0]!.length);
    const frame = await decodeFrame(syntax, view, info);
    expect(backing.buffer.byteLength).toBe(frames[0]!.length + 10); // still usable
    expect(Buffer.from(frame.pixels).equals(Buffer.from(original))).toBe(true);
  });

  it('rejects corrupt frames with a CodecError and keeps decoding afterwards', async () => {
    const { syntax, info, frames } = await sample('MR_small_jp2klossless.dcm');
    const damaged = frames[0]!.slice();
    damaged.fill(0, 120, damaged.length - 4); // header and end marker intact: the decoder itself fails
    const random = () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff);
    const results = await Promise.allSettled([
      decodeFrame(syntax, damaged, info),
      decodeFrame(syntax, random(), info),
      decodeFrame('1.2.840.10008.1.2.4.80', random(), info),
      decodeFrame('1.2.840.10008.1.2.4.70', frames[0]!.slice(0, 100), info),
      decodeFrame(syntax, frames[0]!.slice(), info),
    ]);
    for (const result of results.slice(1, 4)) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(CodecError);
      expect((result as PromiseRejectedResult).reason).toMatchObject({ reason: 'corrupt' });
    }
    if (results[0]!.status === 'rejected') expect(results[0]!.reason).toMatchObject({ reason: 'corrupt' });
    expect(results[4]!.status).toBe('fulfilled');
  });

  it('rejects an unsupported syntax or pixel description before it reaches a worker', async () => {
    const { info, frames } = await sample('MR_small_RLE.dcm');
    await expect(decodeFrame('1.2.840.10008.1.2.4.100', frames[0]!, info)).rejects.toMatchObject({
      reason: 'unsupported',
    });
    await expect(
      decodeFrame('1.2.840.10008.1.2.5', frames[0]!, { ...info, bitsAllocated: 12 }),
    ).rejects.toMatchObject({
      reason: 'unsupported',
    });
  });

  it('starts again after closeCodecWorkers', async () => {
    const { syntax, info, frames } = await sample('MR_small_RLE.dcm');
    await decodeFrame(syntax, frames[0]!.slice(), info);
    await closeCodecWorkers();
    const frame = await decodeFrame(syntax, frames[0]!.slice(), info);
    expect(Buffer.from(frame.pixels).equals(Buffer.from(original))).toBe(true);
  });
});

describe('CodecWorkerPool', () => {
  // A stand-in worker that echoes its input, or dies in the way the input asks.
  let stubUrl: URL;
  beforeAll(() => {
    const stub = join(work, 'stub-worker.mjs');
    writeFileSync(
      stub,
      `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (request) => {
  const command = new TextDecoder().decode(request.encoded);
  if (command === 'exit') process.exit(3);
  if (command === 'throw') return setImmediate(() => { throw new Error('boom'); });
  if (command === 'hang') for (;;);
  const frame = { pixels: request.encoded, photometricInterpretation: 'MONOCHROME2', planarConfiguration: 0, bitsAllocated: 8 };
  parentPort.postMessage({ id: request.id, ok: true, frame }, [request.encoded.buffer]);
});
`,
    );
    stubUrl = pathToFileURL(stub);
  });

  const info: FrameInfo = {
    rows: 1,
    columns: 4,
    samplesPerPixel: 1,
    bitsAllocated: 8,
    bitsStored: 8,
    pixelRepresentation: 0,
    photometricInterpretation: 'MONOCHROME2',
    planarConfiguration: 0,
  };
  const command = (text: string) => new TextEncoder().encode(text);
  const echo = async (pool: CodecWorkerPool, text: string) =>
    new TextDecoder().decode((await pool.decode('1.2.840.10008.1.2.5', command(text), info)).pixels);

  it.each(['exit', 'throw'])(
    'survives a worker that dies (%s): its frame is rejected, the queue goes on',
    async (how) => {
      const pool = new CodecWorkerPool({ size: 1, workerUrl: stubUrl });
      try {
        const dying = pool.decode('1.2.840.10008.1.2.5', command(how), info);
        const queued = [echo(pool, 'a1'), echo(pool, 'b2'), echo(pool, 'c3')];
        await expect(dying).rejects.toMatchObject({ reason: 'worker-failed' });
        await expect(Promise.all(queued)).resolves.toEqual(['a1', 'b2', 'c3']);
        expect(pool.workerCount).toBe(1);
      } finally {
        await pool.close();
      }
    },
  );

  it('abandons a frame that hangs its worker, and replaces the worker', async () => {
    const pool = new CodecWorkerPool({ size: 2, workerUrl: stubUrl, taskTimeoutMs: 300 });
    try {
      await expect(pool.decode('1.2.840.10008.1.2.5', command('hang'), info)).rejects.toMatchObject({
        reason: 'timeout',
      });
      await expect(echo(pool, 'ok')).resolves.toBe('ok');
    } finally {
      await pool.close();
    }
  });

  it('runs at most `size` workers and queues the rest', async () => {
    const pool = new CodecWorkerPool({ size: 2, workerUrl: stubUrl });
    try {
      const texts = Array.from({ length: 12 }, (_, i) => `frame${i}`);
      const pending = texts.map((text) => echo(pool, text));
      expect(pool.workerCount).toBe(2);
      await expect(Promise.all(pending)).resolves.toEqual(texts);
    } finally {
      await pool.close();
    }
  });

  it('rejects queued and later frames once closed', async () => {
    const pool = new CodecWorkerPool({ size: 1, workerUrl: stubUrl });
    const inFlight = pool
      .decode('1.2.840.10008.1.2.5', command('hang'), info)
      .catch((error: unknown) => error);
    const queued = echo(pool, 'late').catch((error: unknown) => error);
    await pool.close();
    expect(await inFlight).toMatchObject({ reason: 'closed' });
    expect(await queued).toMatchObject({ reason: 'closed' });
    await expect(echo(pool, 'after')).rejects.toMatchObject({ reason: 'closed' });
  });

  it('rejects every frame when the worker cannot even start', async () => {
    const pool = new CodecWorkerPool({ size: 1, workerUrl: pathToFileURL(join(work, 'missing-worker.mjs')) });
    try {
      await expect(echo(pool, 'x')).rejects.toMatchObject({ reason: 'worker-failed' });
      await expect(echo(pool, 'y')).rejects.toMatchObject({ reason: 'worker-failed' });
    } finally {
      await pool.close();
    }
  });
});

describe('outside Vitest', () => {
  // Writes the frame to decode and the script that decodes it without ever closing the workers: the
  // script must print the result and exit on its own (idle workers are unreferenced).
  function script(moduleUrl: string): string {
    const { syntax, info } = mr;
    const path = join(work, `decode-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(
      path,
      `import { readFileSync } from 'node:fs';
const { decodeFrame } = await import(${JSON.stringify(moduleUrl)});
const encoded = new Uint8Array(readFileSync(${JSON.stringify(join(work, 'frame.bin'))}));
const frame = await decodeFrame(${JSON.stringify(syntax)}, encoded, ${JSON.stringify(info)});
console.log(Buffer.from(frame.pixels).toString('base64'));
`,
    );
    return path;
  }
  let mr: Sample;
  beforeAll(async () => {
    mr = await sample('MR_small_jp2klossless.dcm');
    writeFileSync(join(work, 'frame.bin'), mr.frames[0]!);
  });

  it('decodes from the TypeScript sources, and idle workers do not keep the process alive', async () => {
    const hooks = pathToFileURL(join(HERE, 'ts-worker-hooks.mjs')).href;
    const register = `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(hooks)});`;
    const started = Date.now();
    const { stdout } = await run(
      process.execPath,
      ['--import', register, script(pathToFileURL(join(HERE, 'decode-frame.ts')).href)],
      {
        timeout: 30_000,
      },
    );
    expect(Buffer.from(stdout.trim(), 'base64').equals(Buffer.from(original))).toBe(true);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('decodes with the compiled JavaScript worker, as dist/ runs it', async () => {
    // Compile this folder (and what it imports) the way `npm run build` does, into a scratch directory
    // that sees the repository's node_modules.
    const out = join(work, 'dist');
    const tsconfig = join(work, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(REPO, 'packages/server/tsconfig.json'),
        compilerOptions: {
          rootDir: join(REPO, 'packages/server/src'),
          outDir: out,
          composite: false,
          incremental: false,
          declaration: false,
          declarationMap: false,
          typeRoots: [join(REPO, 'node_modules/@types')],
        },
        files: [join(HERE, 'decode-frame.ts'), join(HERE, 'codec-worker.ts')],
        include: [],
      }),
    );
    await run(join(REPO, 'node_modules/.bin/tsc'), ['-p', tsconfig], { timeout: 120_000 }).catch(
      (error: { stdout?: string }) => {
        throw new Error(`tsc failed: ${error.stdout ?? String(error)}`);
      },
    );
    symlinkSync(join(REPO, 'node_modules'), join(work, 'node_modules'), 'dir');
    const compiled = pathToFileURL(join(out, 'imaging/codecs/decode-frame.js')).href;
    const { stdout } = await run(process.execPath, [script(compiled)], { timeout: 30_000 });
    expect(Buffer.from(stdout.trim(), 'base64').equals(Buffer.from(original))).toBe(true);
  });
});
