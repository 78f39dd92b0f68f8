import { generateUid, TransferSyntaxUid, type DicomJson } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { CommandField, Status, type Association, type OutgoingCommand } from '@lightbox/dimse';
import { connectScu } from '@lightbox/dimse/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSetBytes, registerNode } from '../test-support/dimse-fixtures.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { encodeIdentifier } from './identifier.js';

const VERIFICATION = '1.2.840.10008.1.1';
const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const MR_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const EXPLICIT = [TransferSyntaxUid.ExplicitVRLittleEndian];

/** Context IDs of the association the tests open. */
const Context = { Verification: 1, Ct: 3, Find: 5, Mr: 7 } as const;

describe('DIMSE requests on a presentation context of another service (PS3.7 C.5.16, C.5.20)', () => {
  let lb: TestLightbox;
  let association: Association;

  beforeAll(async () => {
    lb = await startTestLightbox('sqlite');
    // FIND contexts are accepted from registered nodes only.
    expect(await registerNode(lb, 'misdirected', { aet: 'MISDIRECTED', port: 104 })).toBe(201);
    association = await connectScu({
      port: lb.dicomPort,
      calledAeTitle: TEST_AE_TITLE,
      callingAeTitle: 'MISDIRECTED',
      contexts: [
        { id: Context.Verification, abstractSyntax: VERIFICATION, transferSyntaxes: EXPLICIT },
        { id: Context.Ct, abstractSyntax: CT_STORAGE, transferSyntaxes: EXPLICIT },
        { id: Context.Find, abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: EXPLICIT },
        { id: Context.Mr, abstractSyntax: MR_STORAGE, transferSyntaxes: EXPLICIT },
      ],
    });
    expect(association.accepted!.presentationContexts.every((c) => c.result === 0)).toBe(true);
  });
  afterAll(async () => {
    if (association?.isOpen) await association.release();
    await lb?.stop();
  });

  const send = async (contextId: number, command: OutgoingCommand, dataSet?: Uint8Array) =>
    (await association.sendRequest(contextId, command, dataSet)).command;

  const ctImage = (sopInstanceUid: string, studyInstanceUid = generateUid()) =>
    dataSetBytes(syntheticImage({ studyInstanceUid, sopInstanceUid, sopClassUid: CT_STORAGE }));

  async function storedIn(studyUid: string): Promise<number> {
    const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };
    const prepared = await lb.running.services.archive
      .prepareInstances({ studyUid }, actor)
      .catch(() => undefined);
    return prepared?.instances.length ?? 0;
  }

  it('answers C-ECHO on a CT Image Storage context with 0211, not success', async () => {
    const response = await send(Context.Ct, {
      commandField: CommandField.CEchoRq,
      affectedSopClassUid: CT_STORAGE,
    });
    expect(response.commandField).toBe(CommandField.CEchoRsp);
    expect(response.status).toBe(0x0211);
  });

  it('answers C-ECHO naming CT Image Storage on the Verification context with 0122', async () => {
    const response = await send(Context.Verification, {
      commandField: CommandField.CEchoRq,
      affectedSopClassUid: CT_STORAGE,
    });
    expect(response.commandField).toBe(CommandField.CEchoRsp);
    expect(response.status).toBe(Status.SopClassNotSupported);
  });

  it('answers C-STORE on a FIND context with 0211 and stores nothing', async () => {
    const study = generateUid();
    const sopInstanceUid = generateUid();
    const response = await send(
      Context.Find,
      {
        commandField: CommandField.CStoreRq,
        priority: 0,
        affectedSopClassUid: CT_STORAGE,
        affectedSopInstanceUid: sopInstanceUid,
      },
      ctImage(sopInstanceUid, study),
    );
    expect(response.commandField).toBe(CommandField.CStoreRsp);
    expect(response.status).toBe(0x0211);
    expect(response.affectedSopInstanceUid).toBe(sopInstanceUid);
    expect(await storedIn(study)).toBe(0);
  });

  it('answers C-STORE of a CT image on the MR Image Storage context with 0122 and stores nothing', async () => {
    const study = generateUid();
    const sopInstanceUid = generateUid();
    const response = await send(
      Context.Mr,
      {
        commandField: CommandField.CStoreRq,
        priority: 0,
        affectedSopClassUid: CT_STORAGE,
        affectedSopInstanceUid: sopInstanceUid,
      },
      ctImage(sopInstanceUid, study),
    );
    expect(response.status).toBe(Status.SopClassNotSupported);
    expect(await storedIn(study)).toBe(0);
  });

  it('answers C-FIND on the Verification context with 0211', async () => {
    const identifier: DicomJson = {
      '00080052': { vr: 'CS', Value: ['STUDY'] },
      '0020000D': { vr: 'UI' },
    };
    const response = await send(
      Context.Verification,
      { commandField: CommandField.CFindRq, priority: 0, affectedSopClassUid: STUDY_ROOT_FIND },
      encodeIdentifier(identifier, TransferSyntaxUid.ExplicitVRLittleEndian),
    );
    expect(response.commandField).toBe(CommandField.CFindRsp);
    expect(response.status).toBe(0x0211);
  });

  it('still serves the right requests on the same association afterwards', async () => {
    const echo = await send(Context.Verification, {
      commandField: CommandField.CEchoRq,
      affectedSopClassUid: VERIFICATION,
    });
    expect(echo.status).toBe(Status.Success);
    const study = generateUid();
    const sopInstanceUid = generateUid();
    const store = await send(
      Context.Ct,
      {
        commandField: CommandField.CStoreRq,
        priority: 0,
        affectedSopClassUid: CT_STORAGE,
        affectedSopInstanceUid: sopInstanceUid,
      },
      ctImage(sopInstanceUid, study),
    );
    expect(store.status).toBe(Status.Success);
    expect(await storedIn(study)).toBe(1);
  });
});
