import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid, getString, readPart10, Tag, TransferSyntaxUid, type DicomJson } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { CommandField, Status } from '@lightbox/dimse';
import { connectScu } from '@lightbox/dimse/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSetBytes, registerNode } from '../test-support/dimse-fixtures.js';
import { movescu } from '../test-support/movescu.js';
import { startStorescp, type StorescpPeer } from '../test-support/storescp-peer.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { encodeIdentifier } from './identifier.js';

const run = promisify(execFile);
const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
const dcmtkEnv = { ...process.env, TCP_NODELAY: '1' };

/** SOP classes outside PS3.4's current list that modalities still send. */
const CLASSES = {
  'Siemens CSA Non-Image': '1.3.12.2.1107.5.9.1',
  'Philips CT Synthetic Image': '1.3.46.670589.5.0.9',
  'GE 3D Model': '1.2.840.113619.4.26',
  'Toshiba US Image': '1.2.392.200036.9116.7.8.1.1.1',
  'US Multi-frame (retired)': '1.2.840.10008.5.1.4.1.1.3',
  'NM (retired)': '1.2.840.10008.5.1.4.1.1.5',
  'US (retired)': '1.2.840.10008.5.1.4.1.1.6',
  'XA Bi-plane (retired)': '1.2.840.10008.5.1.4.1.1.12.3',
} as const;

describe('private and retired storage SOP classes', () => {
  let lb: TestLightbox;
  let work: string;
  let destination: StorescpPeer;
  const studyUid = generateUid();
  const sent = new Map<string, { sopClassUid: string; bytes: Uint8Array; file: string }>();

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'lightbox-private-'));
    lb = await startTestLightbox('sqlite');
    // storescp knows none of the private classes: a profile makes it accept them.
    destination = await startStorescp('DEST_PRIV', { profile: await storescpProfile(work) });
    expect(await registerNode(lb, 'dest-priv', { aet: 'DEST_PRIV', port: destination.port })).toBe(201);
    expect(await registerNode(lb, 'movescu', { aet: 'MOVESCU', port: 104 })).toBe(201);
    expect(await registerNode(lb, 'getter', { aet: 'GETTER', port: 104 })).toBe(201);
    for (const [i, sopClassUid] of Object.values(CLASSES).entries()) {
      const sopInstanceUid = generateUid();
      const bytes = syntheticImage({
        studyInstanceUid: studyUid,
        seriesInstanceUid: generateUid(),
        sopInstanceUid,
        sopClassUid,
        instanceNumber: i + 1,
        rows: 8,
        columns: 8,
      });
      const file = path.join(work, `${i}.dcm`);
      await writeFile(file, bytes);
      sent.set(sopInstanceUid, { sopClassUid, bytes, file });
    }
  });
  afterAll(async () => {
    await lb?.stop();
    await destination?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('accepts their presentation contexts and stores what dcmsend sends', async () => {
    // dcmsend proposes each file's SOP class (-nuc: also those DCMTK does not know).
    const { stderr } = await run(
      'dcmsend',
      [
        '-v',
        '-nuc',
        '-aec',
        TEST_AE_TITLE,
        '127.0.0.1',
        String(lb.dicomPort),
        ...[...sent.values()].map((s) => s.file),
      ],
      { env: dcmtkEnv },
    );
    expect(stderr).toContain(`with status SUCCESS  : ${sent.size}`);
    const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };
    const { instances } = await lb.running.services.archive.prepareInstances({ studyUid }, actor);
    expect(instances.map((i) => i.sopClassUid).sort()).toEqual(Object.values(CLASSES).sort());
  });

  it('proposes them again on the C-STORE sub-operations of a C-MOVE, and they arrive byte for byte', async () => {
    const stderr = await movescu(lb, 'DEST_PRIV', [
      'QueryRetrieveLevel=STUDY',
      `StudyInstanceUID=${studyUid}`,
    ]);
    expect(stderr).toContain('Received Final Move Response (Success)');
    const received = [...(await destination.received()).values()];
    expect(received).toHaveLength(sent.size);
    for (const file of received) {
      const { dataSet } = await readPart10(file);
      const original = sent.get(getString(dataSet, Tag.SOPInstanceUID)!)!;
      expect(getString(dataSet, Tag.SOPClassUID)).toBe(original.sopClassUid);
      expect(Buffer.compare(dataSetBytes(file), dataSetBytes(original.bytes))).toBe(0);
    }
  });

  it('returns a Siemens CSA Non-Image object over C-GET to a requestor that takes its SCP role', async () => {
    const csaClass = CLASSES['Siemens CSA Non-Image'];
    const [uid, csa] = [...sent.entries()].find(([, s]) => s.sopClassUid === csaClass)!;
    const received: Buffer[] = [];
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
        { id: 3, abstractSyntax: csaClass, transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian] },
      ],
      roles: [{ sopClassUid: csaClass, scu: false, scp: true }],
      onMessage: async (message, current) => {
        const chunks: Uint8Array[] = [];
        for await (const chunk of message.dataSet ?? []) chunks.push(chunk);
        received.push(Buffer.concat(chunks));
        await current.send(message.context.id, {
          commandField: CommandField.CStoreRsp,
          messageIdBeingRespondedTo: message.command.messageId ?? 0,
          affectedSopClassUid: message.command.affectedSopClassUid ?? '',
          affectedSopInstanceUid: message.command.affectedSopInstanceUid ?? '',
          status: Status.Success,
        });
      },
    });
    // Both contexts accepted: the private class is negotiated like a standard one, the role agreed.
    expect(association.findContext(csaClass)?.transferSyntax).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
    const identifier: DicomJson = {
      '00080052': { vr: 'CS', Value: ['IMAGE'] },
      '0020000D': { vr: 'UI', Value: [studyUid] },
      '00080018': { vr: 'UI', Value: [uid] },
    };
    const final = await association.sendRequest(
      1,
      { commandField: CommandField.CGetRq, priority: 0, affectedSopClassUid: STUDY_ROOT_GET },
      encodeIdentifier(identifier, TransferSyntaxUid.ExplicitVRLittleEndian),
    );
    await association.release();
    expect(final.command.status).toBe(Status.Success);
    expect(final.command.completedSubOperations).toBe(1);
    expect(received).toHaveLength(1);
    expect(Buffer.compare(received[0]!, dataSetBytes(csa.bytes))).toBe(0);
  });
});

/** A storescp association profile (DCMTK configuration file) accepting the classes above, uncompressed. */
async function storescpProfile(dir: string): Promise<{ file: string; name: string }> {
  const file = path.join(dir, 'storescp.cfg');
  await writeFile(
    file,
    [
      '[[TransferSyntaxes]]',
      '[Uncompressed]',
      'TransferSyntax1 = LocalEndianExplicit',
      'TransferSyntax2 = LittleEndianImplicit',
      '[[PresentationContexts]]',
      '[Storage]',
      ...Object.values(CLASSES).map((uid, i) => `PresentationContext${i + 1} = ${uid}\\Uncompressed`),
      '[[Profiles]]',
      '[Private]',
      'PresentationContexts = Storage',
      '',
    ].join('\n'),
  );
  return { file, name: 'Private' };
}
