/**
 * Codecs: decode compressed DICOM frames to native pixels, in worker threads.
 *
 * Decoders, measured on this 2-core machine with Node 20 (median per 512×512 16-bit frame, decoder warm,
 * one thread; first figure a full-range noisy 16-bit phantom, second a CT-like 12-bit one). Each syntax
 * uses the fastest decoder that is also correct; a worker adds about 0.7 ms per frame for the hand-over.
 * - RLE: our TypeScript (PS3.5 Annex G) takes 1.5 / 1.3 ms; dcmjs-codecs' WASM is faster (0.7 / 0.5 ms) but
 *   the RLE decoder is ours by design (small, no WASM state to recycle after a corrupt frame).
 * - JPEG lossless (.57, .70): dcmjs-codecs (DCMTK's IJG libjpeg) 5.5 / 4.8 ms beats
 *   jpeg-lossless-decoder-js at 13.5 / 13.5 ms.
 * - JPEG extended 12-bit (.51): only dcmjs-codecs decodes it, 3.5 ms (12-bit CT-like).
 * - JPEG baseline (.50): dcmjs-codecs 1.9 ms per 512² 8-bit frame; @cornerstonejs/codec-libjpeg-turbo-8bit
 *   is slightly faster (1.55 ms) but cannot be told to leave an untransformed RGB JPEG alone, so it is not used.
 * - JPEG-LS (.80, .81): @cornerstonejs/codec-charls 8.8 / 5.7 ms beats dcmjs-codecs' CharLS at 15.0 / 12.6 ms.
 * - JPEG 2000 (.90, .91): dcmjs-codecs (OpenJPEG 2.5) 64 / 40 ms, the same as @cornerstonejs/codec-openjpeg
 *   (65 / 41 ms), so no extra package; it also decodes HT codestreams.
 * - HTJ2K (.201–.203): @cornerstonejs/codec-openjph 3.5 / 2.7 ms beats dcmjs-codecs' OpenJPH (5.4 / 5.1 ms)
 *   and OpenJPEG (8.2 / 8.0 ms); Part 1 codestreams under these syntaxes go to OpenJPEG.
 * - Deflated Image Frame Compression (1.2.840.10008.1.2.8.1): node:zlib inflateRaw.
 */
export { canDecode, codecFamily, DecodableTransferSyntax, type CodecFamily } from './can-decode.js';
export { CodecError, CodecFailure, isCodecError, type CodecFailureReason } from './codec-error.js';
export { CodecWorkerPool, type CodecWorkerPoolOptions } from './codec-worker-pool.js';
export { closeCodecWorkers, decodeFrame } from './decode-frame.js';
export { checkFrameInfo, decodePixels } from './decode-pixels.js';
export { frameByteLength, MAX_FRAME_BYTES, type DecodedFrame, type FrameInfo } from './frame-info.js';
export { readEncodedFrames } from './read-encoded-frames.js';
export { readFrameInfo } from './read-frame-info.js';
