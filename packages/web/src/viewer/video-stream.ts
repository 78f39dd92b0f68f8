/**
 * What the viewer needs to know about a video object's one stream (PS3.5 §8.2.5–8.2.11): its codec, the
 * container it comes in, whether a browser can play it, and how to read it out of a multipart answer
 * without holding it twice.
 */

import { FirstPartReader, MAX_HEADER_BYTES } from '../dicomweb/multipart-part';

export type VideoCodec = 'mpeg2' | 'avc' | 'hevc';

const SYNTAX_PREFIX = '1.2.840.10008.1.2.4.';

/** The codec of a video transfer syntax (MPEG-2 .100/.101, MPEG-4 AVC .102–.106, HEVC .107/.108). */
export function videoCodecOf(transferSyntax: string): VideoCodec | undefined {
  if (!transferSyntax.startsWith(SYNTAX_PREFIX)) return undefined;
  const [number, fragmentable, ...rest] = transferSyntax.slice(SYNTAX_PREFIX.length).split('.');
  if (rest.length > 0 || (fragmentable !== undefined && fragmentable !== '1')) return undefined;
  switch (number) {
    case '100':
    case '101':
      return 'mpeg2';
    case '102':
    case '103':
    case '104':
    case '105':
    case '106':
      return 'avc';
    case '107':
    case '108':
      return 'hevc';
    default:
      return undefined;
  }
}

/** The media type the archive sends a stream of this codec as (PS3.18 Table 8.7.3-5). */
export function videoMediaTypeOf(codec: VideoCodec): string {
  return { mpeg2: 'video/mpeg', avc: 'video/mp4', hevc: 'video/H265' }[codec];
}

/** The largest video the viewer downloads to play: the whole stream is held in the browser's memory. */
export const MAX_VIDEO_BYTES = 1024 ** 3;

/**
 * How a stream is packaged. DICOM carries MPEG-4 AVC and HEVC in an MP4 file or an MPEG-2 transport
 * stream (PS3.5 §8.2.8), and MPEG-2 video in a program or transport stream; browsers play only MP4.
 */
export type VideoContainer = 'mp4' | 'mpeg-ts' | 'mpeg-ps' | 'elementary' | 'unknown';

const MP4_BOXES = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pdin']);

/** The container of a stream, from its first bytes (a few hundred are enough). */
export function videoContainerOf(head: Uint8Array): VideoContainer {
  if (head.length >= 8) {
    const box = String.fromCharCode(...head.subarray(4, 8));
    if (MP4_BOXES.has(box)) return 'mp4';
  }
  // Transport stream packets are 188 bytes, each beginning with the sync byte 0x47 (ISO/IEC 13818-1).
  if (head[0] === 0x47 && (head.length < 189 || head[188] === 0x47)) return 'mpeg-ts';
  if (head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0xba) return 'mpeg-ps';
  // A bare stream of start codes: an MPEG-2 sequence header, or H.264 / HEVC NAL units (Annex B).
  if (head[0] === 0 && head[1] === 0 && (head[2] === 1 || (head[2] === 0 && head[3] === 1)))
    return 'elementary';
  return 'unknown';
}

/** The file name extension of a downloaded stream, so that a desktop player recognises it. */
export function videoFileExtension(codec: VideoCodec, container: VideoContainer): string {
  switch (container) {
    case 'mp4':
      return 'mp4';
    case 'mpeg-ts':
      return 'ts';
    case 'mpeg-ps':
      return 'mpg';
    default:
      return { mpeg2: 'm2v', avc: 'h264', hevc: 'hevc' }[codec];
  }
}

/** A codec string the browser is asked about for HEVC in MP4 (Main profile, level 5.1). */
const HEVC_MP4 = 'video/mp4; codecs="hvc1.1.6.L153.B0"';

/** Why a stream cannot be played here, before it is downloaded; undefined when it may play. */
export function unplayableCodec(
  codec: VideoCodec,
  canPlayType: (type: string) => string,
): string | undefined {
  if (codec === 'mpeg2') return 'MPEG-2 video cannot be played in the browser; download it.';
  if (codec === 'hevc' && canPlayType(HEVC_MP4) === '')
    return 'This browser cannot play HEVC (H.265) video; download it.';
  return undefined;
}

/** Why a downloaded stream cannot be played here, from its container; undefined for an MP4 file. */
export function unplayableContainer(container: VideoContainer): string | undefined {
  switch (container) {
    case 'mp4':
      return undefined;
    case 'mpeg-ts':
      return 'This video is stored as an MPEG-2 transport stream, which the browser cannot play; download it.';
    case 'mpeg-ps':
      return 'This video is stored as an MPEG program stream, which the browser cannot play; download it.';
    case 'elementary':
      return 'This video is stored as a bare stream without an MP4 container, which the browser cannot play; download it.';
    default:
      return 'This video is in a format the browser cannot recognise; download it.';
  }
}

/** A video larger than {@link MAX_VIDEO_BYTES}. */
export class VideoTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`This video is larger than ${formatBytes(limit)}, too large to play in the browser; download it.`);
  }
}

/** A size for the reader: "12.3 MB", "1 GiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} bytes`;
}

/** Body bytes are gathered into a Blob every this many bytes, so that the page holds little of them. */
const BLOB_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * The first part of a multipart answer as a Blob of `type`, read as it streams: the bytes go into Blobs
 * batch by batch (the browser keeps Blob data outside the page, on disk when large), so the video is held
 * once. Fails with {@link VideoTooLarge} past `maxBytes`, cancelling the download.
 */
export async function readFirstPartBlob(
  response: Response,
  type: string,
  maxBytes: number,
  onProgress: (received: number) => void,
): Promise<Blob> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes + MAX_HEADER_BYTES) {
    await response.body?.cancel();
    throw new VideoTooLarge(maxBytes);
  }
  const parts = new FirstPartReader(response.headers.get('content-type') ?? '');
  if (response.body === null) throw new Error('The archive sent no video.');
  const reader = response.body.getReader();
  const blobs: Blob[] = [];
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let received = 0;
  try {
    while (!parts.done) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const piece of parts.push(value)) {
        received += piece.length;
        if (received > maxBytes) throw new VideoTooLarge(maxBytes);
        batch.push(piece);
        batchBytes += piece.length;
      }
      if (batchBytes >= BLOB_BATCH_BYTES) {
        blobs.push(new Blob(batch as BlobPart[]));
        batch = [];
        batchBytes = 0;
      }
      onProgress(received);
    }
    parts.finish();
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  // The closing delimiter's last bytes and any epilogue are not needed.
  await reader.cancel().catch(() => undefined);
  return new Blob([...blobs, ...(batch as BlobPart[])], { type });
}
