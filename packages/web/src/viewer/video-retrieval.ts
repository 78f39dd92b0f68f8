import { DICOMWEB_ROOT } from '../dicomweb/archive-client';
import { JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { appFetch } from '../session/session-client';
import {
  readFirstPartBlob,
  videoContainerOf,
  videoMediaTypeOf,
  type VideoCodec,
  type VideoContainer,
} from './video-stream';

/** The WADO-RS URL of a video's one "frame": the archive answers the whole stream as one part. */
export function videoStreamUrl(instance: DicomJson): string {
  const uid = (tag: string) => encodeURIComponent(textOf(instance, tag));
  return `${DICOMWEB_ROOT}/studies/${uid(JsonTag.StudyInstanceUID)}/series/${uid(JsonTag.SeriesInstanceUID)}/instances/${uid(JsonTag.SOPInstanceUID)}/frames/1`;
}

/** A retrieved video stream and the container its first bytes show. */
export interface RetrievedVideo {
  blob: Blob;
  container: VideoContainer;
}

/**
 * Retrieves a video's stream with the user's session (a `<video src>` could neither send the Accept
 * header nor read a multipart answer) into a Blob, typed `video/mp4` when it is an MP4 file.
 */
export async function retrieveVideo(
  instance: DicomJson,
  codec: VideoCodec,
  maxBytes: number,
  onProgress: (received: number) => void,
  signal: AbortSignal,
): Promise<RetrievedVideo> {
  const response = await appFetch(videoStreamUrl(instance), {
    headers: { accept: `multipart/related; type="${videoMediaTypeOf(codec)}"` },
    signal,
  });
  const stream = await readFirstPartBlob(response, '', maxBytes, onProgress);
  const container = videoContainerOf(new Uint8Array(await stream.slice(0, 512).arrayBuffer()));
  // A typed view of the same bytes, not a copy.
  const blob = stream.slice(0, stream.size, container === 'mp4' ? 'video/mp4' : 'application/octet-stream');
  return { blob, container };
}

/** Saves a Blob as a file through the browser's download. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Kept a while: the browser reads the file from the URL after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file name for a downloaded video: its SOP Instance UID, which is unique and safe in a path. */
export function videoFileName(instance: DicomJson, extension: string): string {
  return `video-${textOf(instance, JsonTag.SOPInstanceUID)}.${extension}`;
}
