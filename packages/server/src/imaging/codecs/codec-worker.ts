/**
 * Entry point of a codec worker thread: decodes the frames the pool sends, one at a time, and hands the
 * pixel buffers back without copying them.
 */
import { parentPort } from 'node:worker_threads';
import { CodecFailure, isCodecError } from './codec-error.js';
import type { DecodeRequest, DecodeResponse } from './codec-messages.js';
import { decodePixels } from './decode-pixels.js';

const port = parentPort;
if (port === null) throw new Error('codec-worker must run in a worker thread');

port.on('message', (request: DecodeRequest) => {
  void answer(request).then(([response, transfer]) => port.postMessage(response, transfer));
});

async function answer(request: DecodeRequest): Promise<[DecodeResponse, ArrayBuffer[]]> {
  try {
    const frame = await decodePixels(request.transferSyntaxUid, request.encoded, request.info);
    const buffer = frame.pixels.buffer;
    const whole = frame.pixels.byteOffset === 0 && frame.pixels.byteLength === buffer.byteLength;
    const transfer = whole && buffer instanceof ArrayBuffer ? [buffer] : [];
    return [{ id: request.id, ok: true, frame }, transfer];
  } catch (error) {
    const reason = isCodecError(error) ? error.reason : CodecFailure.Corrupt;
    const message = error instanceof Error ? error.message : String(error);
    return [{ id: request.id, ok: false, reason, message }, []];
  }
}
