import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  encodeDataSet,
  fromDicomJson,
  generateUid,
  getString,
  readDataSetIn,
  readPart10,
  Tag,
  toDicomJson,
  TransferSyntaxUid,
} from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { CommandField, PresentationContextResult, Status, type CommandSet } from '@lightbox/dimse';
import { connectScu } from '@lightbox/dimse/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSetBytes } from '../test-support/dimse-fixtures.js';
import { DIALECTS } from '../test-support/test-databases.js';
import {
  startTestLightbox,
  TEST_ADMIN_PASSWORD,
  TEST_AE_TITLE,
  type TestLightbox,
} from '../test-support/test-lightbox.js';

const run = promisify(execFile);

/** A 110104 event as the audit search answers it, with the AEs of a DIMSE transfer. */
interface StoreEvent {
  action: string;
  transfer?: { source: { aeTitle: string; host?: string }; destination: { aeTitle: string; host?: string } };
}
const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const STORAGE_COMMITMENT = '1.2.840.10008.1.20.1';
const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const dcmtkEnv = { ...process.env, TCP_NODELAY: '1' };

async function storedObject(lb: TestLightbox, sopInstanceUid: string): Promise<Uint8Array | undefined> {
  const archive = lb.running.services.archive;
  const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };
  const studies = await archive.query(
    { level: 'instance', filters: [], fuzzy: false, includeFields: [], limit: 1000, offset: 0 },
    actor,
  );
  const match = studies.find((s) => (s['00080018']?.Value as string[] | undefined)?.[0] === sopInstanceUid);
  if (match === undefined) return undefined;
  const studyUid = (match['0020000D']!.Value as string[])[0]!;
  const [instance] = (await archive.prepareInstances({ studyUid, sopInstanceUid }, actor)).instances;
  const stream = await archive.openObject(instance!);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function objectFileCount(lb: TestLightbox): Promise<number> {
  const entries = await readdir(path.join(lb.dataDir, 'objects'), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).length;
}

function storeCommand(sopInstanceUid: string): Omit<CommandSet, 'commandDataSetType' | 'messageId'> {
  return {
    commandField: CommandField.CStoreRq,
    priority: 0,
    affectedSopClassUid: CT_STORAGE,
    affectedSopInstanceUid: sopInstanceUid,
  };
}

/** An association from our own test SCU offering CT storage in one transfer syntax on context 1. */
function storageScu(lb: TestLightbox, transferSyntax: string) {
  return connectScu({
    port: lb.dicomPort,
    calledAeTitle: TEST_AE_TITLE,
    contexts: [{ id: 1, abstractSyntax: CT_STORAGE, transferSyntaxes: [transferSyntax] }],
  });
}

for (const dialect of DIALECTS) {
  describe(`DIMSE SCP on ${dialect}`, () => {
    let lb: TestLightbox;
    let work: string;
    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      work = await mkdtemp(path.join(tmpdir(), 'lightbox-dimse-'));
    });
    afterAll(async () => {
      await lb?.stop();
      await rm(work, { recursive: true, force: true });
    });

    it('answers C-ECHO from DCMTK echoscu', async () => {
      const { stderr } = await run(
        'echoscu',
        ['-v', '-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort)],
        {
          env: dcmtkEnv,
        },
      );
      expect(stderr).toContain('Received Echo Response (Success)');
    });

    it('rejects an association addressed to another AE title', async () => {
      const failure = await run('echoscu', ['-aec', 'SOMEONE_ELSE', '127.0.0.1', String(lb.dicomPort)], {
        env: dcmtkEnv,
      }).catch((error: { stderr: string }) => error);
      expect((failure as { stderr: string }).stderr).toContain('Called AE Title Not Recognized');
    });

    it('stores what storescu sends, byte for byte, with the sender recorded as Source AE Title', async () => {
      const files = [
        syntheticImage({ sopInstanceUid: generateUid(), patientId: 'DIMSE-1', rows: 64, columns: 64 }),
        syntheticImage({
          sopInstanceUid: generateUid(),
          patientId: 'DIMSE-1',
          transferSyntaxUid: TransferSyntaxUid.RLELossless,
          rows: 64,
          columns: 64,
        }),
        syntheticImage({ sopInstanceUid: generateUid(), patientId: 'DIMSE-1', rows: 512, columns: 512 }),
      ];
      const paths: string[] = [];
      for (const [i, bytes] of files.entries()) {
        const file = path.join(work, `store-${i}.dcm`);
        await writeFile(file, bytes);
        paths.push(file);
      }
      // -xr proposes RLE first: the RLE object must arrive compressed, as sent, the others as they are.
      await run('storescu', ['-xr', '-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort), ...paths], {
        env: dcmtkEnv,
      });
      for (const bytes of files) {
        const sent = await readPart10(bytes);
        const uid = getString(sent.dataSet, Tag.SOPInstanceUID)!;
        const stored = await storedObject(lb, uid);
        expect(stored, `instance ${uid} is stored`).toBeDefined();
        const parsed = await readPart10(stored!);
        expect(getString(parsed.meta, 0x00020016)).toBe('STORESCU');
        expect(getString(parsed.meta, 0x00020010)).toBe(getString(sent.meta, 0x00020010));
        expect(Buffer.compare(dataSetBytes(stored!), dataSetBytes(bytes))).toBe(0);
      }
      // Each store is audited as a transfer from the sender's AE to Lightbox's (PS3.15 A.5.3.4).
      await lb.running.services.audit.flush();
      const response = await fetch(
        `${lb.baseUrl}/api/audit-events?patientId=DIMSE-1&eventId=110104&limit=100`,
        {
          headers: { authorization: lb.authorization },
        },
      );
      const stores = ((await response.json()) as StoreEvent[]).filter((e) => e.action === 'C');
      expect(stores).toHaveLength(files.length);
      for (const event of stores) {
        expect(event.transfer).toEqual({
          source: { aeTitle: 'STORESCU', host: '127.0.0.1' },
          destination: { aeTitle: TEST_AE_TITLE, host: '127.0.0.1' },
        });
      }
    });

    it.each([
      ['-xi', TransferSyntaxUid.ImplicitVRLittleEndian],
      ['-xd', TransferSyntaxUid.DeflatedExplicitVRLittleEndian],
    ])('stores and indexes what storescu %s converts the data set to (%s)', async (option, syntax) => {
      const uid = generateUid();
      const file = path.join(work, `converted${option}.dcm`);
      await writeFile(file, syntheticImage({ sopInstanceUid: uid, patientName: `Converted^${option}` }));
      await run('storescu', [option, '-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort), file], {
        env: dcmtkEnv,
      });
      const parsed = await readPart10((await storedObject(lb, uid))!);
      expect(getString(parsed.meta, 0x00020010)).toBe(syntax);
      expect(getString(parsed.dataSet, Tag.PatientName)).toBe(`Converted^${option}`);
    });

    it('refuses an unknown abstract syntax and accepts storage in the proposed transfer syntax', async () => {
      const association = await connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        contexts: [
          {
            id: 1,
            abstractSyntax: '1.2.3.4.5.6',
            transferSyntaxes: [TransferSyntaxUid.ImplicitVRLittleEndian],
          },
          {
            id: 3,
            abstractSyntax: CT_STORAGE,
            transferSyntaxes: [TransferSyntaxUid.JPEG2000Lossless, TransferSyntaxUid.ExplicitVRLittleEndian],
          },
          { id: 5, abstractSyntax: CT_STORAGE, transferSyntaxes: ['1.2.3.999'] },
        ],
      });
      const answered = association.accepted!.presentationContexts;
      expect(answered.find((c) => c.id === 1)!.result).toBe(
        PresentationContextResult.AbstractSyntaxNotSupported,
      );
      expect(answered.find((c) => c.id === 3)!.result).toBe(PresentationContextResult.Acceptance);
      expect(association.findContext(CT_STORAGE)!.transferSyntax).toBe(TransferSyntaxUid.JPEG2000Lossless);
      expect(answered.find((c) => c.id === 5)!.result).toBe(
        PresentationContextResult.TransferSyntaxesNotSupported,
      );
      await association.release();
    });

    it('answers A900 when the data set is not the instance the command names, and stores nothing', async () => {
      const before = await objectFileCount(lb);
      const association = await storageScu(lb, TransferSyntaxUid.ExplicitVRLittleEndian);
      const bytes = syntheticImage({ sopInstanceUid: generateUid() });
      const response = await association.sendRequest(1, storeCommand(generateUid()), dataSetBytes(bytes));
      await association.release();
      expect(response.command.commandField).toBe(CommandField.CStoreRsp);
      expect(response.command.status).toBe(Status.DataSetDoesNotMatchSopClass);
      expect(response.command.errorComment).toMatch(/differs/);
      expect(await objectFileCount(lb)).toBe(before);
    });

    it('answers C000 for a malformed data set, stores nothing, and keeps the association usable', async () => {
      const before = await objectFileCount(lb);
      const association = await storageScu(lb, TransferSyntaxUid.ExplicitVRLittleEndian);
      const good = dataSetBytes(syntheticImage({ sopInstanceUid: generateUid() }));
      // A truncated data set: an element header whose length runs past the end.
      const truncated = Buffer.concat([
        good.subarray(0, 200),
        Buffer.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0xff, 0x7f]),
      ]);
      const refused = await association.sendRequest(1, storeCommand(generateUid()), truncated);
      expect(refused.command.status).toBe(Status.CannotUnderstand);
      expect(refused.command.errorComment).toMatch(/malformed|truncated|ended/i);
      const uid = generateUid();
      const stored = await association.sendRequest(
        1,
        storeCommand(uid),
        dataSetBytes(syntheticImage({ sopInstanceUid: uid })),
      );
      expect(stored.command.status).toBe(Status.Success);
      await association.release();
      expect(await objectFileCount(lb)).toBe(before + 1);
    });

    it('keeps nothing when the sender vanishes in the middle of a data set, and stays up', async () => {
      const before = await objectFileCount(lb);
      const association = await storageScu(lb, TransferSyntaxUid.ExplicitVRLittleEndian);
      const uid = generateUid();
      const bytes = dataSetBytes(syntheticImage({ sopInstanceUid: uid, rows: 512, columns: 512 }));
      async function* half(): AsyncGenerator<Uint8Array> {
        yield bytes.subarray(0, bytes.length / 2);
        association.socket.destroy(); // gone, without release or abort
        await new Promise(() => undefined);
      }
      void association.send(1, { ...storeCommand(uid), messageId: 1 }, half()).catch(() => undefined);
      await association.whenClosed;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await storedObject(lb, uid)).toBeUndefined();
      expect(await objectFileCount(lb)).toBe(before);
      await run('echoscu', ['-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort)], { env: dcmtkEnv });
    });

    it('aborts a connection that sends garbage or an oversized PDU, and serves others meanwhile', async () => {
      for (const garbage of [
        Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
        Buffer.from([0x01, 0x00, 0x7f, 0xff, 0xff, 0xff]), // an A-ASSOCIATE-RQ claiming 2 GiB
        Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 1, 2, 3, 4]), // too short to be one
      ]) {
        const socket = net.connect({ host: '127.0.0.1', port: lb.dicomPort });
        const received: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        socket.on('error', () => undefined);
        socket.write(garbage);
        await new Promise((resolve) => socket.on('close', resolve));
        const reply = Buffer.concat(received);
        expect(reply[0], `reply to ${garbage.toString('hex').slice(0, 20)}`).toBe(0x07); // A-ABORT
      }
      await run('echoscu', ['-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort)], { env: dcmtkEnv });
    });

    it('answers storage commitment on the same association while it is open', async () => {
      const uid = generateUid();
      const file = path.join(work, 'committed.dcm');
      await writeFile(file, syntheticImage({ sopInstanceUid: uid }));
      await run('storescu', ['-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort), file], {
        env: dcmtkEnv,
      });
      const sopClass = getString(
        (await readPart10(syntheticImage({ sopInstanceUid: uid }))).dataSet,
        Tag.SOPClassUID,
      )!;
      const reports: Array<{ eventTypeId: number | undefined; body: Record<string, { Value?: unknown[] }> }> =
        [];
      const association = await connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        contexts: [
          {
            id: 1,
            abstractSyntax: STORAGE_COMMITMENT,
            transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian],
          },
        ],
        onMessage: async (message, current) => {
          const chunks: Uint8Array[] = [];
          for await (const chunk of message.dataSet ?? []) chunks.push(chunk);
          const body = toDicomJson(
            await readDataSetIn(Buffer.concat(chunks), message.context.transferSyntax),
          );
          reports.push({ eventTypeId: message.command.eventTypeId, body });
          await current.send(message.context.id, {
            commandField: CommandField.NEventReportRsp,
            messageIdBeingRespondedTo: message.command.messageId ?? 0,
            affectedSopClassUid: STORAGE_COMMITMENT,
            affectedSopInstanceUid: message.command.affectedSopInstanceUid ?? '',
            eventTypeId: message.command.eventTypeId ?? 0,
            status: Status.Success,
          });
        },
      });
      const transactionUid = generateUid();
      const missing = generateUid();
      const action = fromDicomJson({
        '00081195': { vr: 'UI', Value: [transactionUid] },
        '00081199': {
          vr: 'SQ',
          Value: [
            { '00081150': { vr: 'UI', Value: [sopClass] }, '00081155': { vr: 'UI', Value: [uid] } },
            { '00081150': { vr: 'UI', Value: [sopClass] }, '00081155': { vr: 'UI', Value: [missing] } },
          ],
        },
      });
      const bytes = Buffer.concat([
        ...encodeDataSet(action, { explicitVr: true, littleEndian: true }),
      ] as Uint8Array[]);
      const response = await association.sendRequest(
        1,
        {
          commandField: CommandField.NActionRq,
          requestedSopClassUid: STORAGE_COMMITMENT,
          requestedSopInstanceUid: '1.2.840.10008.1.20.1.1',
          actionTypeId: 1,
        },
        bytes,
      );
      expect(response.command.status).toBe(Status.Success);
      for (let i = 0; i < 100 && reports.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await association.release();
      expect(reports).toHaveLength(1);
      expect(reports[0]!.eventTypeId).toBe(2); // some failed
      expect(reports[0]!.body['00081195']!.Value).toEqual([transactionUid]);
      const committed = reports[0]!.body['00081199']!.Value as Array<Record<string, { Value?: unknown[] }>>;
      const failed = reports[0]!.body['00081198']!.Value as Array<Record<string, { Value?: unknown[] }>>;
      expect(committed.map((item) => item['00081155']!.Value![0])).toEqual([uid]);
      expect(failed.map((item) => [item['00081155']!.Value![0], item['00081197']!.Value![0]])).toEqual([
        [missing, 0x0112],
      ]);
    });

    it('takes a user name and passcode in user identity negotiation, and refuses a wrong one', async () => {
      const file = path.join(work, 'identity.dcm');
      await writeFile(file, syntheticImage({ sopInstanceUid: generateUid() }));
      const base = ['-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort), file];
      const { stderr } = await run(
        'storescu',
        ['-v', '-usr', 'admin', '-pwd', TEST_ADMIN_PASSWORD, '-rsp', ...base],
        {
          env: dcmtkEnv,
        },
      );
      expect(stderr).toMatch(/Association Accepted/);
      const refused = await run('storescu', ['-usr', 'admin', '-pwd', 'wrong-password', ...base], {
        env: dcmtkEnv,
      }).then(
        () => 'accepted',
        (error: { stderr: string }) => error.stderr,
      );
      expect(refused).toMatch(/Association Rejected/);
    });

    it('aborts, rather than hangs, when the peer releases in the middle of a data set', async () => {
      const association = await storageScu(lb, TransferSyntaxUid.ExplicitVRLittleEndian);
      const uid = generateUid();
      const bytes = dataSetBytes(syntheticImage({ sopInstanceUid: uid, rows: 256, columns: 256 }));
      async function* half(): AsyncGenerator<Uint8Array> {
        yield bytes.subarray(0, bytes.length / 2);
        // An A-RELEASE-RQ (PS3.8 §9.3.6) while the data set is unfinished.
        association.socket.write(Uint8Array.of(0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0));
        await new Promise(() => undefined);
      }
      void association.send(1, { ...storeCommand(uid), messageId: 1 }, half()).catch(() => undefined);
      const closed = await Promise.race([
        association.whenClosed.then(() => 'closed'),
        new Promise((resolve) => setTimeout(() => resolve('hung'), 5000)),
      ]);
      expect(closed).toBe('closed');
      expect(await storedObject(lb, uid)).toBeUndefined();
    });

    it('answers every request, even one the archive fails on (a C-FIND with 40 000 UIDs)', async () => {
      await fetch(`${lb.baseUrl}/api/dicom-nodes/test-scu`, {
        method: 'PUT',
        headers: { authorization: lb.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ aet: 'TEST_SCU', host: '127.0.0.1', port: 104 }),
      });
      const association = await connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        contexts: [
          {
            id: 1,
            abstractSyntax: STUDY_ROOT_FIND,
            transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian],
          },
        ],
      });
      const uids = Array.from({ length: 40_000 }, (_, i) => `1.2.${i + 1}`); // short: the identifier stays under 1 MiB
      const identifier = fromDicomJson({
        '00080052': { vr: 'CS', Value: ['STUDY'] },
        '0020000D': { vr: 'UI', Value: uids },
      });
      const bytes = Buffer.concat([
        ...encodeDataSet(identifier, { explicitVr: true, littleEndian: true }),
      ] as Uint8Array[]);
      const response = await association.sendRequest(
        1,
        { commandField: CommandField.CFindRq, priority: 0, affectedSopClassUid: STUDY_ROOT_FIND },
        bytes,
      );
      await association.release();
      // SQLite cannot bind that many values (Processing failure); PostgreSQL can (no match).
      expect([Status.Success, Status.ProcessingFailure]).toContain(response.command.status);
    });

    it('answers a service it does not provide with "unrecognized operation"', async () => {
      const association = await storageScu(lb, TransferSyntaxUid.ImplicitVRLittleEndian);
      const messageId = association.pendingMessageId;
      const response = await association.sendRequest(1, {
        commandField: CommandField.NSetRq,
        requestedSopClassUid: CT_STORAGE,
        requestedSopInstanceUid: generateUid(),
      });
      await association.release();
      expect(response.command.commandField).toBe(CommandField.NSetRsp);
      expect(response.command.messageIdBeingRespondedTo).toBe(messageId);
      expect(response.command.status).toBe(0x0211);
    });
  });
}

describe('DIMSE listener start-up', () => {
  it('reports a taken port instead of starting half a server', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    await expect(startTestLightbox('sqlite', { LIGHTBOX_DICOM_PORT: String(port) })).rejects.toThrow(
      /EADDRINUSE/,
    );
    blocker.close();
  });
});
