import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateUid, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import {
  nativeFrameLittleEndian,
  syntheticImage,
  textElement,
  type SyntheticImageOptions,
} from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Archive } from '../archive/archive.js';
import { STREAMED_FRAME_BYTES } from '../imaging/read-frame.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { splitMultipart, stowObjects } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { encapsulatedPixelData } from './stow-pixel-data.js';

const MIB = 1024 * 1024;
const MP4 = TransferSyntaxUid.MPEG4HP41;
const VIDEO_PHOTOGRAPHIC = '1.2.840.10008.5.1.4.1.1.77.1.4.1';
const MP4_ACCEPT = 'multipart/related; type="video/mp4"';
const OCTET_ACCEPT = 'multipart/related; type="application/octet-stream"';

// Full collections, so that what the server still holds is measured, not garbage not yet collected: a
// second one after a turn, as array buffers are swept concurrently after the first.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const externalBytes = async () => {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 1));
  collectGarbage();
  return process.memoryUsage().arrayBuffers;
};

/** The file descriptors this process holds (the test Lightbox runs in it). */
const openFiles = () => readdirSync('/proc/self/fd').length;

/** Deterministic bytes that differ from one seed to another. */
function pattern(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 12)) & 0xff;
  return bytes;
}

/** A one-stream MPEG-4 video object (PS3.5 §8.2.7) whose stream is these fragments. */
function videoObject(
  study: string,
  series: string,
  sop: string,
  fragments: readonly Uint8Array[],
  numberOfFrames = 1,
) {
  return syntheticImage({
    studyInstanceUid: study,
    seriesInstanceUid: series,
    sopInstanceUid: sop,
    sopClassUid: VIDEO_PHOTOGRAPHIC,
    modality: 'XC',
    transferSyntaxUid: MP4,
    rows: 1080,
    columns: 1920,
    samplesPerPixel: 3,
    bitsAllocated: 8,
    photometricInterpretation: 'YBR_PARTIAL_420',
    multiFrame: true,
    extra: [encapsulatedPixelData(fragments), textElement(Tag.NumberOfFrames, 'IS', String(numberOfFrames))],
  });
}

/** A configuration file that stores objects sealed (the default) or in the clear. */
function storageConfig(encryptAtRest: boolean): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'lightbox-frames-')), 'lightbox.json');
  writeFileSync(file, JSON.stringify({ archive: { encryptAtRest } }));
  return { LIGHTBOX_CONFIG: file };
}

/** Calls of the archive's two ways of reading a stored object, made while `run` runs. */
async function storageReads(
  archive: Archive,
  run: () => Promise<void>,
): Promise<{ ranges: number; streams: number }> {
  const { openObject, readObjectRange } = archive;
  const counts = { ranges: 0, streams: 0 };
  archive.openObject = (...args: Parameters<Archive['openObject']>) => {
    counts.streams++;
    return openObject.apply(archive, args);
  };
  archive.readObjectRange = (...args: Parameters<Archive['readObjectRange']>) => {
    counts.ranges++;
    return readObjectRange.apply(archive, args);
  };
  try {
    await run();
  } finally {
    archive.openObject = openObject;
    archive.readObjectRange = readObjectRange;
  }
  return counts;
}

const CASES = DIALECTS.flatMap((dialect) =>
  [true, false].map((encryptAtRest) => ({ dialect, encryptAtRest })),
);

for (const { dialect, encryptAtRest } of CASES) {
  const storage = encryptAtRest ? 'sealed' : 'in the clear';
  describe(`WADO-RS frames sent as stored are streamed on ${dialect}, objects ${storage}`, () => {
    let lb: TestLightbox;
    const study = generateUid();
    const series = generateUid();
    const [video, smallVideo, native] = [generateUid(), generateUid(), generateUid()];
    /** A video as modalities send it: Number of Frames says 150, its stream is one fragment. */
    const longVideo = generateUid();
    const longVideoStream = pattern(300_000, 42);
    /** A streamed video with an empty fragment in it (an item of length 0 is valid, PS3.5 §A.4). */
    const gappedVideo = generateUid();
    const gappedFragments = [pattern(9 * MIB, 50), new Uint8Array(0), pattern(100_000, 51)];
    // 24 MiB in four fragments: the stream is more than the threshold, its first fragment too.
    const fragments = [12, 4, 4, 4].map((size, seed) => pattern(size * MIB, seed));
    const stream = Buffer.concat(fragments);
    const smallFragments = [0, 1, 2].map((seed) => pattern(100_000, seed + 10));
    // Two native frames of 10 MiB each, sent as stored when octet-stream is asked for.
    const nativeOptions: SyntheticImageOptions = {
      studyInstanceUid: study,
      seriesInstanceUid: series,
      sopInstanceUid: native,
      rows: 2048,
      columns: 2560,
      bitsAllocated: 16,
      frames: 2,
      pixelValue: (f, r, c) => (r * 7 + c * 13 + f * 101) & 0xfff,
    };
    const instanceUrl = (sop: string) => `${lb.dicomweb}/studies/${study}/series/${series}/instances/${sop}`;
    const get = (path: string, accept: string, signal?: AbortSignal) =>
      fetch(path, { headers: { authorization: lb.authorization, accept }, signal });

    /**
     * Reads an answer until `bytes` came, then goes away (node:http rather than fetch: destroying the
     * request closes the connection there and then); resolves with what `atGone` says at that moment.
     */
    const goneMidBody = (url: string, bytes: number, atGone: () => number) =>
      new Promise<number>((resolve, reject) => {
        const headers = { authorization: lb.authorization, accept: MP4_ACCEPT };
        const request = httpRequest(url, { headers }, (response) => {
          if (response.statusCode !== 200) reject(new Error(`status ${response.statusCode}`));
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received < bytes || request.destroyed) return;
            const now = atGone();
            request.destroy();
            resolve(now);
          });
        });
        request.on('error', () => {}); // the destroy
        request.end();
      });

    beforeAll(async () => {
      lb = await startTestLightbox(dialect, storageConfig(encryptAtRest));
      const objects = [
        videoObject(study, series, video, fragments),
        videoObject(study, series, smallVideo, smallFragments),
        videoObject(study, series, longVideo, [longVideoStream], 150),
        videoObject(study, series, gappedVideo, gappedFragments),
        syntheticImage(nativeOptions),
      ];
      expect(await stowObjects(lb, objects)).toBe(200);
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('sends a video stream as its fragments concatenated, streamed from storage', async () => {
      expect(stream.length).toBeGreaterThan(STREAMED_FRAME_BYTES);
      let parts: ReturnType<typeof splitMultipart> = [];
      const reads = await storageReads(lb.running.services.archive, async () => {
        const response = await get(`${instanceUrl(video)}/frames/1`, MP4_ACCEPT);
        expect(response.status).toBe(200);
        const contentType = response.headers.get('content-type') ?? '';
        expect(contentType).toMatch(/^multipart\/related; type="video\/mp4"/);
        parts = splitMultipart(Buffer.from(await response.arrayBuffer()), contentType);
      });
      expect(parts).toHaveLength(1);
      expect(parts[0]!.headers['content-type']).toBe(`video/mp4; transfer-syntax=${MP4}`);
      expect(parts[0]!.headers['content-location']).toBe(`${instanceUrl(video)}/frames/1`);
      expect(parts[0]!.body.equals(stream)).toBe(true);
      // Each fragment streamed as a range, none read whole into memory.
      expect(reads).toEqual({ ranges: 0, streams: fragments.length });
    });

    it('streams a large fragment of the Pixel Data sent as stored on its BulkDataURI', async () => {
      let parts: ReturnType<typeof splitMultipart> = [];
      const reads = await storageReads(lb.running.services.archive, async () => {
        const response = await get(`${instanceUrl(video)}/bulkdata/7FE00010`, MP4_ACCEPT);
        expect(response.status).toBe(200);
        parts = splitMultipart(
          Buffer.from(await response.arrayBuffer()),
          response.headers.get('content-type') ?? '',
        );
      });
      expect(parts).toHaveLength(1);
      expect(parts[0]!.headers['content-type']).toBe(`video/mp4; transfer-syntax=${MP4}`);
      expect(parts[0]!.body.equals(stream)).toBe(true);
      expect(fragments[0]!.length).toBeGreaterThan(STREAMED_FRAME_BYTES);
      // The object parsed (one stream), then its 12 MiB fragment streamed and the small ones read.
      expect(reads).toEqual({ ranges: 3, streams: 2 });
    });

    it('sends a video of many frames as its one stream, and renders none of it', async () => {
      const reads = await storageReads(lb.running.services.archive, async () => {
        const response = await get(`${instanceUrl(longVideo)}/frames/1`, MP4_ACCEPT);
        expect(response.status).toBe(200);
        const parts = splitMultipart(
          Buffer.from(await response.arrayBuffer()),
          response.headers.get('content-type') ?? '',
        );
        expect(parts).toHaveLength(1);
        expect(parts[0]!.body.equals(longVideoStream)).toBe(true);
      });
      // By the frame index kept at ingest: one positioned read, not the object parsed again.
      expect(reads).toEqual({ ranges: 1, streams: 0 });
      const rendered = await get(`${instanceUrl(longVideo)}/rendered`, 'image/jpeg');
      expect(rendered.status).toBe(404);
      await rendered.arrayBuffer();
    });

    it('streams a video with an empty fragment, skipping it', async () => {
      const response = await get(`${instanceUrl(gappedVideo)}/frames/1`, MP4_ACCEPT);
      expect(response.status).toBe(200);
      const parts = splitMultipart(
        Buffer.from(await response.arrayBuffer()),
        response.headers.get('content-type') ?? '',
      );
      expect(parts[0]!.body.equals(Buffer.concat(gappedFragments))).toBe(true);
    });

    it('reads a small video stream with one positioned read per fragment', async () => {
      const reads = await storageReads(lb.running.services.archive, async () => {
        const response = await get(`${instanceUrl(smallVideo)}/frames/1`, MP4_ACCEPT);
        expect(response.status).toBe(200);
        const parts = splitMultipart(
          Buffer.from(await response.arrayBuffer()),
          response.headers.get('content-type') ?? '',
        );
        expect(parts[0]!.body.equals(Buffer.concat(smallFragments))).toBe(true);
      });
      expect(reads).toEqual({ ranges: smallFragments.length, streams: 0 });
    });

    it('streams large native frames sent as stored, in the order asked', async () => {
      const reads = await storageReads(lb.running.services.archive, async () => {
        const response = await get(`${instanceUrl(native)}/frames/2,1`, OCTET_ACCEPT);
        expect(response.status).toBe(200);
        const parts = splitMultipart(
          Buffer.from(await response.arrayBuffer()),
          response.headers.get('content-type') ?? '',
        );
        expect(parts.map((p) => p.headers['content-location'])).toEqual([
          `${instanceUrl(native)}/frames/2`,
          `${instanceUrl(native)}/frames/1`,
        ]);
        expect(parts[0]!.body.equals(nativeFrameLittleEndian(nativeOptions, 1))).toBe(true);
        expect(parts[1]!.body.equals(nativeFrameLittleEndian(nativeOptions, 0))).toBe(true);
      });
      expect(reads).toEqual({ ranges: 0, streams: 2 });
    });

    it('holds far less than the stream in memory while a client reads it slowly', async () => {
      const before = await externalBytes();
      let peak = 0;
      let received = 0;
      const response = await get(`${instanceUrl(video)}/frames/1`, MP4_ACCEPT);
      const reader = response.body!.getReader();
      for (let chunks = 0; ; chunks++) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
        // The server fills what it may meanwhile.
        if (chunks % 32 === 0) peak = Math.max(peak, (await externalBytes()) - before);
      }
      expect(received).toBeGreaterThan(stream.length);
      // Held whole, the stream alone would add 24 MiB.
      expect(peak).toBeLessThan(stream.length / 3);
    });

    it('closes the stream it reads when the client goes away mid-body', async () => {
      const archive = lb.running.services.archive;
      const openObject = archive.openObject;
      let open = 0;
      archive.openObject = async (...args: Parameters<Archive['openObject']>) => {
        const stream = await openObject.apply(archive, args);
        open++;
        stream.once('close', () => open--);
        return stream;
      };
      const before = openFiles();
      try {
        for (let round = 0; round < 10; round++) {
          const openWhenGone = await goneMidBody(`${instanceUrl(video)}/frames/1`, 7 * MIB, () => open);
          // A range was being read when the client went away…
          expect(openWhenGone).toBe(1);
        }
        // …and is released, its file descriptor with it.
        await expect.poll(() => open, { timeout: 5_000 }).toBe(0);
        await expect.poll(() => openFiles() - before, { timeout: 5_000 }).toBeLessThan(5);
      } finally {
        archive.openObject = openObject;
      }
    });

    it('answers with an error status, not a body cut short, when the stored object cannot be opened', async () => {
      const archive = lb.running.services.archive;
      const openObject = archive.openObject;
      archive.openObject = () => Promise.reject(new AppError(ErrorCode.NotFound, 'stored object is missing'));
      try {
        const response = await get(`${instanceUrl(video)}/frames/1`, MP4_ACCEPT);
        expect(response.status).toBe(404);
        await response.arrayBuffer();
      } finally {
        archive.openObject = openObject;
      }
    });
  });
}
