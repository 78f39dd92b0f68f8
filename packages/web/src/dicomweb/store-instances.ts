import { appFetch } from '../session/session-client';
import { DICOMWEB_ROOT } from './archive-client';
import type { DicomJson } from './dicom-json';

/**
 * Stores DICOM Part 10 objects with STOW-RS (PS3.18 10.5): one `application/dicom` part each. A success
 * (200) means the archive has them durably; a partial failure (202) or a refusal throws with its reason.
 */
export async function storeInstances(objects: ArrayBuffer[]): Promise<DicomJson> {
  const boundary = `lightbox-${crypto.randomUUID()}`;
  const encoder = new TextEncoder();
  const parts: BlobPart[] = [];
  for (const object of objects) {
    parts.push(
      encoder.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
      object,
      encoder.encode('\r\n'),
    );
  }
  parts.push(encoder.encode(`--${boundary}--\r\n`));
  const response = await appFetch(`${DICOMWEB_ROOT}/studies`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
      accept: 'application/dicom+json',
    },
    body: new Blob(parts),
  });
  const result = (await response.json()) as DicomJson;
  // 202: some parts failed (Failed SOP Sequence).
  if (response.status === 202) throw new Error('the archive refused part of what was saved');
  return result;
}
