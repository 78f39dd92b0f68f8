import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CodecError, CodecFailure } from './codec-error.js';
import type { DecodeRequest, DecodeResponse } from './codec-messages.js';
import type { DecodedFrame, FrameInfo } from './frame-info.js';

/** Options of a {@link CodecWorkerPool}. */
export interface CodecWorkerPoolOptions {
  /** Most worker threads at once; default min(available cores, 4). */
  size?: number;
  /** A frame that takes longer than this is abandoned and its worker replaced; default 60 s. */
  taskTimeoutMs?: number;
  /** The worker entry point (tests substitute their own); default this folder's codec-worker. */
  workerUrl?: URL;
}

interface Task {
  request: DecodeRequest;
  transfer: ArrayBuffer[];
  resolve: (frame: DecodedFrame) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | undefined;
  timer: NodeJS.Timeout | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;

// Under Vitest this module runs as TypeScript; the worker then needs the TypeScript sources loaded
// through module hooks (ts-worker-hooks.mjs). Compiled, it sits next to codec-worker.js.
const runningTypeScript = import.meta.url.endsWith('.ts');

function defaultWorkerUrl(): URL {
  return new URL(runningTypeScript ? './codec-worker.ts' : './codec-worker.js', import.meta.url);
}

function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const bootstrap = [
    "const { register } = require('node:module');",
    "const { workerData } = require('node:worker_threads');",
    'register(workerData.hooks);',
    'import(workerData.entry).catch((error) => { setImmediate(() => { throw error; }); });',
  ].join('\n');
  return new Worker(bootstrap, {
    eval: true,
    workerData: { hooks: new URL('./ts-worker-hooks.mjs', import.meta.url).href, entry: url.href },
  });
}

/**
 * The bytes as a buffer that can be transferred: the caller's own when the view covers it whole, else a
 * copy. An empty view gets a fresh buffer: it may be one detached by an earlier transfer, and a message
 * that transfers a detached buffer is silently dropped.
 */
function transferable(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength === 0) return new Uint8Array(0);
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
}

/**
 * A small pool of codec worker threads. Workers start when frames arrive (up to `size`), take one frame
 * at a time from a FIFO queue, and are unreferenced while idle so they never keep the process alive. A
 * worker that dies or overruns the timeout is discarded, its frame rejected with a {@link CodecError},
 * and a fresh worker starts for the next frame.
 */
export class CodecWorkerPool {
  private readonly size: number;
  private readonly timeoutMs: number;
  private readonly workerUrl: URL;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: CodecWorkerPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(availableParallelism(), 4));
    this.timeoutMs = options.taskTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.workerUrl = options.workerUrl ?? defaultWorkerUrl();
  }

  /** Number of worker threads running now. */
  get workerCount(): number {
    return this.slots.length;
  }

  /**
   * Decodes one frame in a worker thread. The encoded bytes are transferred, not copied, when the view
   * covers its whole ArrayBuffer: that buffer is then detached here (pass a copy to keep using it).
   */
  decode(transferSyntaxUid: string, encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
    if (this.closed)
      return Promise.reject(new CodecError(CodecFailure.Closed, 'the codec workers are stopped'));
    const bytes = transferable(encoded);
    const { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, pixelRepresentation } = info;
    const { photometricInterpretation, planarConfiguration } = info;
    const request: DecodeRequest = {
      id: this.nextId++,
      transferSyntaxUid,
      encoded: bytes,
      // Only the fields of FrameInfo: the caller's object may carry more (and things that cannot be cloned).
      info: {
        rows,
        columns,
        samplesPerPixel,
        bitsAllocated,
        bitsStored,
        pixelRepresentation,
        photometricInterpretation,
        planarConfiguration,
      },
    };
    return new Promise<DecodedFrame>((resolve, reject) => {
      this.queue.push({ request, transfer: [bytes.buffer as ArrayBuffer], resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; frames still queued or in flight are rejected. A closed pool stays closed. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new CodecError(CodecFailure.Closed, 'the codec workers were stopped');
    for (const task of this.queue.splice(0)) task.reject(error);
    const slots = this.slots.splice(0);
    for (const slot of slots) this.settle(slot, undefined, error);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.task === undefined);
      if (slot === undefined) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const task = this.queue.shift()!;
      slot.task = task;
      slot.worker.ref();
      slot.timer = setTimeout(
        () => this.fail(slot, CodecFailure.Timeout, `decoding took longer than ${this.timeoutMs} ms`),
        this.timeoutMs,
      );
      slot.timer.unref();
      try {
        slot.worker.postMessage(task.request, task.transfer);
      } catch (error) {
        this.settle(
          slot,
          undefined,
          new CodecError(CodecFailure.WorkerFailed, 'the frame could not be sent to a codec worker', {
            cause: error,
          }),
        );
      }
    }
  }

  private spawn(): Slot {
    const worker = startWorker(this.workerUrl);
    const slot: Slot = { worker, task: undefined, timer: undefined };
    this.slots.push(slot);
    worker.unref();
    worker.on('message', (response: DecodeResponse) => {
      if (slot.task?.request.id !== response.id) return;
      if (response.ok) this.settle(slot, response.frame, undefined);
      else this.settle(slot, undefined, new CodecError(response.reason, response.message));
      this.dispatch();
    });
    worker.on('error', (error) =>
      this.fail(slot, CodecFailure.WorkerFailed, `a codec worker failed: ${error.message}`, error),
    );
    worker.on('exit', (code) =>
      this.fail(slot, CodecFailure.WorkerFailed, `a codec worker exited with code ${code}`),
    );
    return slot;
  }

  /** Resolves or rejects the slot's task and marks the worker idle. */
  private settle(slot: Slot, frame: DecodedFrame | undefined, error: Error | undefined): void {
    const task = slot.task;
    slot.task = undefined;
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.worker.unref();
    if (task === undefined) return;
    if (error !== undefined) task.reject(error);
    else task.resolve(frame!);
  }

  /** Discards a worker that died or hung: rejects its task, and lets the next task start a fresh one. */
  private fail(slot: Slot, reason: CodecError['reason'], detail: string, cause?: unknown): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    this.settle(slot, undefined, new CodecError(reason, detail, { cause }));
    void slot.worker.terminate();
    this.dispatch();
  }
}
