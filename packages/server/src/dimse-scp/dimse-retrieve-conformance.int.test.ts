import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateUid, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNode, storeInArchive } from '../test-support/dimse-fixtures.js';
import { movescu } from '../test-support/movescu.js';
import { pydicomCopy } from '../test-support/pydicom-copy.js';
import { startStorescp, type StorescpPeer } from '../test-support/storescp-peer.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

for (const dialect of DIALECTS) {
  describe(`C-MOVE as PS3.4 has it, on ${dialect}`, () => {
    let lb: TestLightbox;
    let work: string;
    let destination: StorescpPeer;
    const patientId = `KEYS-${Date.now()}`;
    const studyUid = generateUid();
    const seriesUid = generateUid();

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      work = await mkdtemp(path.join(tmpdir(), 'lightbox-retrieve-keys-'));
      // Uncompressed only, as storescp is by default: what Lightbox stores compressed it must decode.
      destination = await startStorescp('DEST_KEYS');
      expect(await registerNode(lb, 'dest-keys', { aet: 'DEST_KEYS', port: destination.port })).toBe(201);
      expect(await registerNode(lb, 'movescu', { aet: 'MOVESCU', port: 104 })).toBe(201);
      for (let i = 0; i < 3; i++) {
        await storeInArchive(
          lb,
          syntheticImage({
            patientId,
            patientName: 'KEYS^PATIENT',
            studyInstanceUid: studyUid,
            seriesInstanceUid: seriesUid,
            sopInstanceUid: generateUid(),
            instanceNumber: i + 1,
            rows: 8,
            columns: 8,
          }),
        );
      }
      // Another patient's study, which no key of the moves below names.
      await storeInArchive(lb, syntheticImage({ patientId: `${patientId}-OTHER`, rows: 8, columns: 8 }));
    });
    afterAll(async () => {
      await lb?.stop();
      await destination?.stop();
      await rm(work, { recursive: true, force: true });
    });

    const move = (keys: string[]) => movescu(lb, 'DEST_KEYS', keys);

    it('refuses a retrieve whose unique key is empty, missing or a wildcard (A900) instead of moving every study', async () => {
      const before = (await destination.received()).size;
      for (const keys of [
        ['QueryRetrieveLevel=STUDY', 'StudyInstanceUID'],
        ['QueryRetrieveLevel=STUDY', `PatientID=${patientId}`],
        ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${studyUid}`],
        ['QueryRetrieveLevel=STUDY', 'StudyInstanceUID=*'],
        ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${studyUid}`, 'SeriesInstanceUID=*'],
      ]) {
        const log = await move(keys);
        expect(log).toMatch(/Error: DataSetDoesNotMatchSOPClass/);
      }
      expect((await destination.received()).size).toBe(before);
    });

    it('selects by the unique keys alone: other keys neither narrow nor widen the move', async () => {
      const before = (await destination.received()).size;
      const log = await move([
        'QueryRetrieveLevel=STUDY',
        `StudyInstanceUID=${studyUid}`,
        'PatientName=NOBODY^ELSE',
        'StudyDescription=*',
      ]);
      expect(log).toContain('Received Final Move Response (Success)');
      expect((await destination.received()).size).toBe(before + 3);
    });

    it('decodes an image with an odd number of pixel bytes for a peer that takes no compression', async () => {
      // pydicom's 3 × 3 RGB JPEG: 27 bytes of pixels and a pad byte, sent in even PDVs (PS3.8 Annex E).
      const copy = await pydicomCopy(work, 'SC_rgb_small_odd_jpeg.dcm', { newStudy: true, newSeries: true });
      await storeInArchive(lb, copy.bytes);
      const log = await move([
        'QueryRetrieveLevel=IMAGE',
        `StudyInstanceUID=${copy.studyUid}`,
        `SeriesInstanceUID=${copy.seriesUid}`,
        `SOPInstanceUID=${copy.sopInstanceUid}`,
      ]);
      expect(log).toContain('Received Final Move Response (Success)');
      const arrived = [...(await destination.received()).values()].map((file) => readPart10(file));
      const received = (await Promise.all(arrived)).find(
        (object) => getString(object.dataSet, Tag.SOPInstanceUID) === copy.sopInstanceUid,
      );
      expect(received).toBeDefined();
      expect(received!.transferSyntaxUid).not.toBe(copy.transferSyntaxUid);
      expect([TransferSyntaxUid.ExplicitVRLittleEndian, TransferSyntaxUid.ImplicitVRLittleEndian]).toContain(
        received!.transferSyntaxUid,
      );
    });
  });
}
