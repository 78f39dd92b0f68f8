import { generateUid, TransferSyntaxUid, type DicomJson } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { CommandField, Status } from '@lightbox/dimse';
import { connectScu } from '@lightbox/dimse/test-support';
import { encodeIdentifier } from './identifier.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNode, storeInArchive } from '../test-support/dimse-fixtures.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';

const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

for (const dialect of DIALECTS) {
  describe(`C-GET stores back only on contexts where the requestor took the SCP role, on ${dialect} (PS3.7 D.3.3.4)`, () => {
    let lb: TestLightbox;
    const study = generateUid();

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      await storeInArchive(
        lb,
        syntheticImage({ studyInstanceUid: study, sopInstanceUid: generateUid(), sopClassUid: CT_STORAGE }),
      );
      expect(await registerNode(lb, 'getter', { aet: 'GETTER', port: 104 })).toBe(201);
    });
    afterAll(async () => {
      await lb?.stop();
    });

    const cGet = async (proposeScpRole: boolean) => {
      let stores = 0;
      const association = await connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        callingAeTitle: 'GETTER',
        contexts: [
          {
            id: 1,
            abstractSyntax: STUDY_ROOT_GET,
            transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian],
          },
          { id: 3, abstractSyntax: CT_STORAGE, transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian] },
        ],
        ...(proposeScpRole ? { roles: [{ sopClassUid: CT_STORAGE, scu: false, scp: true }] } : {}),
        onMessage: async (message, current) => {
          for await (const _ of message.dataSet ?? []) {
            // drain
          }
          stores += 1;
          await current.send(message.context.id, {
            commandField: CommandField.CStoreRsp,
            messageIdBeingRespondedTo: message.command.messageId ?? 0,
            affectedSopClassUid: message.command.affectedSopClassUid ?? '',
            affectedSopInstanceUid: message.command.affectedSopInstanceUid ?? '',
            status: Status.Success,
          });
        },
      });
      const identifier: DicomJson = {
        '00080052': { vr: 'CS', Value: ['STUDY'] },
        '0020000D': { vr: 'UI', Value: [study] },
      };
      const bytes = encodeIdentifier(identifier, TransferSyntaxUid.ExplicitVRLittleEndian);
      const final = await association.sendRequest(
        1,
        { commandField: CommandField.CGetRq, priority: 0, affectedSopClassUid: STUDY_ROOT_GET },
        bytes,
      );
      await association.release();
      return { final: final.command, stores };
    };

    it('sends nothing back without the role, and says the sub-operation failed', async () => {
      const { final, stores } = await cGet(false);
      expect(stores).toBe(0);
      expect(final.completedSubOperations ?? 0).toBe(0);
      expect(final.failedSubOperations).toBe(1);
      expect(final.status).not.toBe(Status.Success);
    });

    it('sends the instance back on the storage context once the role is taken', async () => {
      const { final, stores } = await cGet(true);
      expect(stores).toBe(1);
      expect(final.status).toBe(Status.Success);
      expect(final.completedSubOperations).toBe(1);
    });
  });
}
