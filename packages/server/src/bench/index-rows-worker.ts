import { parentPort } from 'node:worker_threads';
import { rowsOf } from './index-rows.js';
import type { ArchiveScale } from './synthetic-archive.js';

/** A batch of studies to turn into index rows. */
export interface RowsRequest {
  id: number;
  scale: ArchiveScale;
  from: number;
  to: number;
}

// Builds index rows for the synthetic index in a worker thread (see build-index.ts).
parentPort?.on('message', (request: RowsRequest) => {
  const timing = { micros: 0 };
  const rows = rowsOf(request.scale, request.from, request.to, timing);
  parentPort!.postMessage({ id: request.id, rows, micros: timing.micros });
});
