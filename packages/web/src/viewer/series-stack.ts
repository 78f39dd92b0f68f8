import { JsonTag, numberOf, numbersOf, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { videoCodecOf } from './video-stream';

/** One displayable frame of a series: its WADO-RS frame URL and the instance it comes from. */
export interface StackFrame {
  sopInstanceUid: string;
  frame: number;
  /** Cornerstone image ID (`wadors:` + the frame's WADO-RS URL). */
  imageId: string;
  metadata: DicomJson;
}

function dot(a: readonly number[], b: readonly number[]): number {
  return (a[0] ?? 0) * (b[0] ?? 0) + (a[1] ?? 0) * (b[1] ?? 0) + (a[2] ?? 0) * (b[2] ?? 0);
}

/** The normal of an image plane: row × column direction cosines (PS3.3 C.7.6.2.1.1). */
export function planeNormal(orientation: readonly number[]): [number, number, number] {
  const [rx = 0, ry = 0, rz = 0, cx = 0, cy = 0, cz = 0] = orientation;
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

/**
 * The frames of a series in reading order: instances of one plane sorted by their position along the
 * plane's normal (so a CT stack scrolls in space, not in the order images happened to be numbered);
 * otherwise by Instance Number. Multi-frame instances give one entry per frame.
 */
export function seriesFrames(
  wadoRoot: string,
  studyUid: string,
  seriesUid: string,
  instances: DicomJson[],
): StackFrame[] {
  const orientation = instances.map((i) => numbersOf(i, JsonTag.ImageOrientationPatient));
  const first = orientation[0];
  const samePlane =
    first !== undefined &&
    first.length === 6 &&
    orientation.every((o) => o !== undefined && o.every((v, k) => Math.abs(v - (first[k] ?? 0)) < 1e-3)) &&
    instances.every((i) => numbersOf(i, JsonTag.ImagePositionPatient)?.length === 3);
  const normal = samePlane ? planeNormal(first) : undefined;
  const keyed = instances.map((metadata, index) => ({
    metadata,
    index,
    position: normal !== undefined ? dot(numbersOf(metadata, JsonTag.ImagePositionPatient) ?? [], normal) : 0,
    number: numberOf(metadata, JsonTag.InstanceNumber) ?? Number.MAX_SAFE_INTEGER,
  }));
  // Highest position first: for an axial stack that is head to feet, as radiologists scroll.
  keyed.sort((a, b) =>
    normal !== undefined
      ? b.position - a.position || a.number - b.number
      : a.number - b.number || a.index - b.index,
  );
  const frames: StackFrame[] = [];
  for (const { metadata } of keyed) {
    const sopInstanceUid = textOf(metadata, JsonTag.SOPInstanceUID);
    const count = numberOf(metadata, JsonTag.NumberOfFrames) ?? 1;
    const base = `${wadoRoot}/studies/${studyUid}/series/${seriesUid}/instances/${sopInstanceUid}/frames/`;
    for (let frame = 1; frame <= count; frame++) {
      frames.push({ sopInstanceUid, frame, imageId: `wadors:${base}${frame}`, metadata });
    }
  }
  return frames;
}

/** Available Transfer Syntax UID (0008,3002): the syntax an instance is stored in. */
const AVAILABLE_TRANSFER_SYNTAX = '00083002';

/** The transfer syntax an instance is stored in, as the archive says (empty when it does not). */
export function storedSyntaxOf(instance: DicomJson): string {
  return textOf(instance, AVAILABLE_TRANSFER_SYNTAX);
}

/** Whether an instance holds a video stream (MPEG-2, MPEG-4 AVC/H.264 or HEVC/H.265). */
export function isVideoInstance(instance: DicomJson): boolean {
  return videoCodecOf(storedSyntaxOf(instance)) !== undefined;
}

/**
 * The videos of a series that holds no images a stack can show, in Instance Number order (a long
 * recording may be split into several instances, PS3.5 §8.2.8); none for any other series.
 */
export function seriesVideos(instances: DicomJson[]): DicomJson[] {
  if (isImageSeries(instances)) return [];
  return instances
    .filter(isVideoInstance)
    .map((metadata, index) => ({
      metadata,
      index,
      number: numberOf(metadata, JsonTag.InstanceNumber) ?? Number.MAX_SAFE_INTEGER,
    }))
    .sort((a, b) => a.number - b.number || a.index - b.index)
    .map((v) => v.metadata);
}

/**
 * Whether a series holds images a stack viewport can show: not SR, KOS, presentation states, … nor a
 * video, whose one stream the image loader would fetch whole and could not decode.
 */
export function isImageSeries(instances: DicomJson[]): boolean {
  return instances.some(
    (i) =>
      numberOf(i, JsonTag.Rows) !== undefined &&
      numberOf(i, JsonTag.Columns) !== undefined &&
      !isVideoInstance(i),
  );
}

/**
 * Whether frames form a volume that can be reformatted: at least three single-frame images of one
 * plane orientation with distinct positions (a scout or a multi-frame cine cannot).
 */
export function isVolume(frames: StackFrame[]): boolean {
  if (frames.length < 3) return false;
  const orientations = frames.map((f) => numbersOf(f.metadata, JsonTag.ImageOrientationPatient));
  const first = orientations[0];
  if (first === undefined || first.length !== 6) return false;
  if (!orientations.every((o) => o !== undefined && o.every((v, k) => Math.abs(v - (first[k] ?? 0)) < 1e-3)))
    return false;
  const normal = planeNormal(first);
  const positions = frames.map((f) => dot(numbersOf(f.metadata, JsonTag.ImagePositionPatient) ?? [], normal));
  return new Set(positions.map((p) => p.toFixed(3))).size === frames.length;
}
