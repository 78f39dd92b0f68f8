import { JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { newestDocument } from './newest-document';
import type { StackFrame } from './series-stack';

/** Key Object Selection Document Storage (PS3.4 B.5). */
export const KEY_OBJECT_SELECTION = '1.2.840.10008.5.1.4.1.1.88.59';
/** Series description of the key image documents Lightbox saves. */
export const KEY_IMAGE_SERIES_DESCRIPTION = 'Lightbox key images';

/** A key image: an instance, and a frame of it when it is a multi-frame. */
export interface KeyImage {
  seriesInstanceUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  frame?: number;
}

/** How a key image is named in sets: `sop` or `sop/frame`. */
export function keyImageKey(image: { sopInstanceUid: string; frame?: number }): string {
  return image.frame !== undefined && image.frame > 1
    ? `${image.sopInstanceUid}/${image.frame}`
    : image.sopInstanceUid;
}

/**
 * The key images named by keys, found among the frames of a study's series (by series UID); keys of images
 * not loaded are left out. A frame number is kept only for multi-frame instances.
 */
export function keyImagesOf(
  keys: ReadonlySet<string>,
  framesBySeries: Record<string, StackFrame[]>,
): KeyImage[] {
  const images: KeyImage[] = [];
  for (const [seriesInstanceUid, stack] of Object.entries(framesBySeries)) {
    const multiFrame = stack.some((f) => f.frame > 1);
    for (const frame of stack) {
      if (!keys.has(keyImageKey(frame))) continue;
      images.push({
        seriesInstanceUid,
        sopClassUid: textOf(frame.metadata, JsonTag.SOPClassUID),
        sopInstanceUid: frame.sopInstanceUid,
        ...(multiFrame ? { frame: frame.frame } : {}),
      });
    }
  }
  return images;
}

/**
 * Saves a study's key images as a new KOS with STOW-RS. What writes it (dcmjs) is loaded now, not with the
 * viewer.
 */
export async function saveKeyImages(study: DicomJson, images: KeyImage[], description = ''): Promise<void> {
  const { storeKeyImages } = await import('./key-image-document');
  await storeKeyImages(study, images, description);
}

/** The key images of the newest Lightbox key image document of a study (none when there is none). */
export async function loadKeyImages(studyUid: string, series: DicomJson[]): Promise<Set<string>> {
  const newest = await newestDocument(studyUid, series, 'KO', KEY_IMAGE_SERIES_DESCRIPTION);
  const keys = new Set<string>();
  for (const item of (newest?.['0040A730']?.Value ?? []) as DicomJson[]) {
    if (textOf(item, '0040A040') !== 'IMAGE') continue;
    for (const reference of (item['00081199']?.Value ?? []) as DicomJson[]) {
      const frame = Number(textOf(reference, '00081160') || '1');
      keys.add(keyImageKey({ sopInstanceUid: textOf(reference, '00081155'), frame }));
    }
  }
  return keys;
}
