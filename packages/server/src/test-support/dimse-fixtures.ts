import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import type { TestLightbox } from './test-lightbox.js';

/** A small synthetic study of one patient: `count` 16×16 images in one series. */
export function syntheticStudy(patientId: string, count: number): { studyUid: string; files: Uint8Array[] } {
  const studyUid = generateUid();
  const files = Array.from({ length: count }, (_, i) =>
    syntheticImage({
      patientId,
      studyInstanceUid: studyUid,
      sopInstanceUid: generateUid(),
      instanceNumber: i + 1,
      rows: 16,
      columns: 16,
    }),
  );
  return { studyUid, files };
}

/** The data set of a Part 10 file we wrote: the bytes after its File Meta Information (group length first). */
export function dataSetBytes(part10: Uint8Array): Buffer {
  const groupLength = new DataView(part10.buffer, part10.byteOffset, part10.byteLength).getUint32(140, true);
  return Buffer.from(part10.subarray(144 + groupLength));
}

/** Stores a Part 10 object straight into a test Lightbox's archive; fails the test when it is refused. */
export async function storeInArchive(lb: TestLightbox, part10: Uint8Array): Promise<void> {
  const outcome = await lb.running.services.archive.storeInstance(
    (async function* () {
      yield part10;
    })(),
    { username: 'test', roles: ['admin'], protocol: 'system' },
  );
  if (!outcome.ok) throw new Error(`the archive refused a test object: ${outcome.error.detail}`);
}

/** Registers a remote DICOM node through the API (`PUT /api/dicom-nodes/{name}`); returns the response status. */
export async function registerNode(
  lb: TestLightbox,
  name: string,
  node: { aet: string; port: number; host?: string; tls?: boolean },
): Promise<number> {
  const response = await fetch(`${lb.baseUrl}/api/dicom-nodes/${name}`, {
    method: 'PUT',
    headers: { authorization: lb.authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ host: '127.0.0.1', ...node }),
  });
  return response.status;
}
