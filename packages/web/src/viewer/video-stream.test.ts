import { describe, expect, it } from 'vitest';
import { JsonTag, type DicomJson } from '../dicomweb/dicom-json';
import { isImageSeries, seriesVideos } from './series-stack';
import { FirstPartReader } from '../dicomweb/multipart-part';
import {
  formatBytes,
  readFirstPartBlob,
  unplayableCodec,
  unplayableContainer,
  videoCodecOf,
  videoContainerOf,
  videoFileExtension,
  VideoTooLarge,
} from './video-stream';

const TS = (n: string) => `1.2.840.10008.1.2.4.${n}`;

function video(uid: string, number: number | undefined, syntax = TS('102')): DicomJson {
  return {
    [JsonTag.SOPInstanceUID]: { vr: 'UI', Value: [uid] },
    ...(number !== undefined ? { [JsonTag.InstanceNumber]: { vr: 'IS', Value: [number] } } : {}),
    [JsonTag.Rows]: { vr: 'US', Value: [1080] },
    [JsonTag.Columns]: { vr: 'US', Value: [1920] },
    '00083002': { vr: 'UI', Value: [syntax] },
  };
}

/** A multipart/related answer of one part holding `body`, as the archive sends a video. */
function answer(body: Uint8Array, boundary = 'b0undary'): { bytes: Uint8Array; type: string } {
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Type: video/mp4; transfer-syntax=${TS('102')}\r\n\r\n`,
  );
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const bytes = new Uint8Array(head.length + body.length + tail.length);
  bytes.set(head);
  bytes.set(body, head.length);
  bytes.set(tail, head.length + body.length);
  return { bytes, type: `multipart/related; type="video/mp4"; boundary=${boundary}` };
}

/** Bytes that hold CR LF and dashes, as a video may, to try the delimiter search. */
function streamBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = [13, 10, 45, 45, 98, (i * 7) & 0xff][i % 6]!;
  return bytes;
}

function responseOf(bytes: Uint8Array, type: string, chunk: number, length?: number): Response {
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
  const headers: Record<string, string> = { 'content-type': type };
  if (length !== undefined) headers['content-length'] = String(length);
  return new Response(body, { headers });
}

describe('video streams', () => {
  it('knows the codec of each video transfer syntax, fragmentable or not', () => {
    expect(videoCodecOf(TS('100'))).toBe('mpeg2');
    expect(videoCodecOf(TS('101.1'))).toBe('mpeg2');
    for (const n of ['102', '103', '104', '105', '106', '104.1']) expect(videoCodecOf(TS(n))).toBe('avc');
    expect(videoCodecOf(TS('107'))).toBe('hevc');
    expect(videoCodecOf(TS('108.1'))).toBe('hevc');
    expect(videoCodecOf(TS('50'))).toBeUndefined();
    expect(videoCodecOf(TS('102.2'))).toBeUndefined();
    expect(videoCodecOf('1.2.840.10008.1.2.1')).toBeUndefined();
  });

  it('says MPEG-2 cannot play, and HEVC only where the browser says it can', () => {
    const chromium = (type: string) => (type.includes('avc1') ? 'probably' : '');
    expect(unplayableCodec('mpeg2', () => 'probably')).toBe(
      'MPEG-2 video cannot be played in the browser; download it.',
    );
    expect(unplayableCodec('avc', chromium)).toBeUndefined();
    expect(unplayableCodec('hevc', chromium)).toMatch(/cannot play HEVC/);
    expect(unplayableCodec('hevc', () => 'maybe')).toBeUndefined();
  });

  it('tells an MP4 file from a transport stream and a bare stream, and names the download after it', () => {
    const mp4 = new Uint8Array([0, 0, 0, 0x20, ...new TextEncoder().encode('ftypisom')]);
    const ts = new Uint8Array(376);
    ts[0] = ts[188] = 0x47;
    const annexB = new Uint8Array([0, 0, 0, 1, 0x67, 0x64]);
    const programStream = new Uint8Array([0, 0, 1, 0xba, 0x44]);
    expect(videoContainerOf(mp4)).toBe('mp4');
    expect(videoContainerOf(ts)).toBe('mpeg-ts');
    expect(videoContainerOf(annexB)).toBe('elementary');
    expect(videoContainerOf(programStream)).toBe('mpeg-ps');
    expect(videoContainerOf(new Uint8Array([1, 2, 3]))).toBe('unknown');
    expect(unplayableContainer('mp4')).toBeUndefined();
    expect(unplayableContainer('mpeg-ts')).toMatch(/transport stream/);
    expect(unplayableContainer('elementary')).toMatch(/without an MP4 container/);
    expect(videoFileExtension('avc', 'mp4')).toBe('mp4');
    expect(videoFileExtension('hevc', 'mpeg-ts')).toBe('ts');
    expect(videoFileExtension('mpeg2', 'mpeg-ps')).toBe('mpg');
    expect(videoFileExtension('avc', 'elementary')).toBe('h264');
    expect(videoFileExtension('hevc', 'elementary')).toBe('hevc');
    expect(videoFileExtension('mpeg2', 'unknown')).toBe('m2v');
  });

  it('reads the part body whatever the chunks, even with the delimiter split across them', () => {
    const body = streamBytes(300);
    const { bytes, type } = answer(body);
    for (let size = 1; size <= 40; size++) {
      const reader = new FirstPartReader(type);
      const read: number[] = [];
      for (let offset = 0; offset < bytes.length; offset += size)
        for (const piece of reader.push(bytes.subarray(offset, offset + size))) read.push(...piece);
      reader.finish();
      expect(new Uint8Array(read), `chunks of ${size}`).toEqual(body);
    }
  });

  it('refuses an answer cut short, and one that is not multipart', () => {
    const { bytes, type } = answer(streamBytes(100));
    const reader = new FirstPartReader(type);
    reader.push(bytes.subarray(0, 120));
    expect(() => reader.finish()).toThrow(/ended before/);
    expect(() => new FirstPartReader('video/mp4')).toThrow(/multipart/);
  });

  it('streams the part into a Blob of the stream’s size', async () => {
    const body = streamBytes(20_000);
    const { bytes, type } = answer(body);
    const seen: number[] = [];
    const blob = await readFirstPartBlob(responseOf(bytes, type, 1000), 'video/mp4', 1e6, (n) =>
      seen.push(n),
    );
    expect(blob.size).toBe(body.length);
    expect(blob.type).toBe('video/mp4');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(body);
    expect(seen.at(-1)).toBe(body.length);
  });

  it('stops a download past the size cap, as it streams or as declared', async () => {
    const { bytes, type } = answer(streamBytes(5000));
    await expect(readFirstPartBlob(responseOf(bytes, type, 500), '', 4096, () => undefined)).rejects.toThrow(
      VideoTooLarge,
    );
    await expect(
      readFirstPartBlob(responseOf(bytes, type, 500, 2 * 1024 ** 3), '', 1024 ** 3, () => undefined),
    ).rejects.toThrow('This video is larger than 1 GiB, too large to play in the browser; download it.');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
  });

  it('finds the videos of a series in instance number order, and none in a series of images', () => {
    const series = [video('c', 3), video('a', 1, TS('100')), video('b', 2, TS('107.1'))];
    expect(isImageSeries(series)).toBe(false);
    expect(seriesVideos(series).map((v) => v[JsonTag.SOPInstanceUID]?.Value?.[0])).toEqual(['a', 'b', 'c']);
    expect(seriesVideos([video('i', 1, TS('50'))])).toEqual([]);
    expect(seriesVideos([{ [JsonTag.SOPInstanceUID]: { vr: 'UI', Value: ['sr'] } }])).toEqual([]);
  });
});
