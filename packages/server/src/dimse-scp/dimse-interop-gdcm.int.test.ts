import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSetBytes, registerNode } from '../test-support/dimse-fixtures.js';
import { freePort } from '../test-support/free-port.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { pydicomCopy, type PydicomCopy } from '../test-support/pydicom-copy.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';

/**
 * GDCM (Debian libgdcm-tools) against Lightbox: `gdcmscu` as Verification, Storage, Find (Study and
 * Patient Root) and Move SCU, with its own Storage SCP as the move destination; `gdcmconv` decodes the
 * originals to check the pixels Lightbox decompressed for it. (`gdcmscu --get` is not implemented: it
 * exits 1 without connecting.)
 *
 * Quirks of gdcmscu 3.0.21 worked around here, not in Lightbox:
 * - it aborts ("ProtocolStream as nullptr is invalid", SIGABRT) once an association is released, so
 *   its exit status says nothing and it prints no result: what it received is read from its debug
 *   trace (-D), which prints every DIMSE message as it comes in;
 * - as C-FIND SCU it takes the P-DATA-TF PDU after a Pending response for that response's data set.
 *   Lightbox sends each response's command and identifier as two PDVs of one PDU, as PS3.8 Annex E.1
 *   allows, so gdcmscu swallows every second response. Queries here match two entries each: gdcmscu
 *   shows the first and reads the final response after the second (an odd count would leave it
 *   waiting for the Success response it swallowed).
 */
const run = promisify(execFile);
const SCU_AE = 'GDCMSCU';

/** Command Field values (PS3.7 E.1) of the responses read from the trace. */
const C_STORE_RSP = '32769';
const C_FIND_RSP = '32800';
const C_MOVE_RSP = '32801';
const C_ECHO_RSP = '32816';
const PENDING = '65280';

/** One data set gdcmscu printed: values by tag (`ggggeeee`, upper case), multiple values split. */
type Printed = Record<string, string[]>;

// `(0000,0900) ?? (US) 0   # 2,1 Status` or `(0008,0005) CS [ISO_IR 192]   # …`
const ELEMENT = /^\(([0-9a-fA-F]{4}),([0-9a-fA-F]{4})\) (?:\?\? \(\w\w\)|\w\w) (?:\[(.*)\]|(\S*))/;

/**
 * The DIMSE messages gdcmscu's debug trace shows it received: each starts with its Command Group Length
 * and takes the identifier printed after it. gdcmscu prints each one twice in a row (the PDU, then the
 * message it assembled); one copy is kept.
 */
function receivedMessages(trace: string): Printed[] {
  const messages: Printed[] = [];
  let current: Printed | undefined;
  for (const line of trace.split('\n')) {
    const match = ELEMENT.exec(line);
    if (match === null) continue;
    const tag = `${match[1]}${match[2]}`.toUpperCase();
    if (tag === '00000000') messages.push((current = {}));
    if (current === undefined) continue; // the request gdcmscu prints before any response
    const raw = match[3] ?? match[4] ?? '';
    current[tag] = raw.split('\\').map((value) => value.replace(/[\0 ]+$/, ''));
  }
  return messages.filter((m, i) => i === 0 || JSON.stringify(m) !== JSON.stringify(messages[i - 1]));
}

const field = (message: Printed, tag: string): string | undefined => message[tag]?.[0];

/** Runs gdcmscu with its debug trace on; resolves with the trace whatever the exit (see the quirks). */
function gdcmscu(args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('gdcmscu', ['-D', '--aetitle', SCU_AE, '--call', TEST_AE_TITLE, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let trace = '';
    child.stdout.on('data', (chunk: Buffer) => (trace += chunk.toString('latin1')));
    child.stderr.on('data', (chunk: Buffer) => (trace += chunk.toString('latin1')));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`gdcmscu ${args.join(' ')} did not finish:\n${trace.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(trace);
    });
  });
}

/** The Pixel Data value of a Part 10 file holding native (uncompressed) pixels. */
async function nativePixels(file: string): Promise<Buffer> {
  const { dataSet } = await readPart10(await readFile(file), { readPixelData: true });
  return Buffer.from(dataSet.get(Tag.PixelData)!.bytes!);
}

for (const dialect of DIALECTS) {
  describe(`DIMSE interoperability with GDCM on ${dialect}`, () => {
    let lb: TestLightbox;
    let dir: string;
    let scpPort: number;
    const prefix = `GDCM-${Date.now()}`;
    const patientA = `${prefix}-A`;
    const patientB = `${prefix}-B`;
    const studyA = generateUid();
    const studyB = generateUid();
    const seriesCt = generateUid();
    const seriesMr = generateUid();
    const seriesSc = generateUid();
    // Study A: a CT and an MR series, explicit VR; study B: one series of a JPEG 2000 and an RLE image.
    let ct: PydicomCopy, mr: PydicomCopy, j2k: PydicomCopy, rle: PydicomCopy;
    const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };
    const host = () => ['127.0.0.1', String(lb.dicomPort)];

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-gdcm-'));
      // Patient attributes alike within a patient: Lightbox sends instances with the patient's current ones.
      const a = { '0010,0020': patientA, '0010,0010': 'GDCM^ALPHA', '0010,0040': 'O', '0020,000d': studyA };
      const b = { '0010,0020': patientB, '0010,0010': 'GDCM^BETA', '0010,0040': 'O', '0020,000d': studyB };
      const sc = { ...b, '0020,000e': seriesSc, '0008,0060': 'OT' };
      [ct, mr, j2k, rle] = await Promise.all([
        pydicomCopy(dir, 'CT_small.dcm', { set: { ...a, '0020,000e': seriesCt } }),
        pydicomCopy(dir, 'MR_small.dcm', { set: { ...a, '0020,000e': seriesMr } }),
        pydicomCopy(dir, 'JPEG2000.dcm', { set: { ...sc, '0020,0013': '1' } }),
        pydicomCopy(dir, 'SC_rgb_rle.dcm', { set: { ...sc, '0020,0013': '2' } }),
      ]);
      // gdcmscu calls itself GDCMSCU and, for C-MOVE, listens as GDCMSCU on --port-scp.
      scpPort = await freePort();
      expect(await registerNode(lb, 'gdcm', { aet: SCU_AE, port: scpPort })).toBe(201);
    });
    afterAll(async () => {
      await lb?.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('answers C-ECHO', async () => {
      const [response, ...more] = receivedMessages(await gdcmscu(['--echo', ...host()]));
      expect(more).toEqual([]);
      expect(field(response!, '00000100')).toBe(C_ECHO_RSP);
      expect(field(response!, '00000900')).toBe('0');
    });

    it('stores what gdcmscu sends in each syntax it was sent in, byte for byte', async () => {
      const files = [ct, mr, j2k, rle];
      const responses = receivedMessages(await gdcmscu(['--store', ...host(), ...files.map((f) => f.file)]));
      expect(
        responses.map((r) => [field(r, '00000100'), field(r, '00001000'), field(r, '00000900')]),
      ).toEqual(files.map((f) => [C_STORE_RSP, f.sopInstanceUid, '0']));
      const archive = lb.running.services.archive;
      const stored = [
        ...(await archive.prepareInstances({ studyUid: studyA }, actor)).instances,
        ...(await archive.prepareInstances({ studyUid: studyB }, actor)).instances,
      ];
      expect(stored.map((i) => i.sopInstanceUid).sort()).toEqual(files.map((f) => f.sopInstanceUid).sort());
      for (const instance of stored) {
        const sent = files.find((f) => f.sopInstanceUid === instance.sopInstanceUid)!;
        expect(instance.transferSyntaxUid).toBe(sent.transferSyntaxUid);
        const chunks: Buffer[] = [];
        for await (const chunk of await archive.openObject(instance)) chunks.push(chunk as Buffer);
        expect(
          Buffer.compare(dataSetBytes(Buffer.concat(chunks)), dataSetBytes(await readFile(sent.file))),
        ).toBe(0);
      }
      expect([ct, mr, j2k, rle].map((f) => f.transferSyntaxUid)).toEqual([
        TransferSyntaxUid.ExplicitVRLittleEndian,
        TransferSyntaxUid.ExplicitVRLittleEndian,
        TransferSyntaxUid.JPEG2000,
        TransferSyntaxUid.RLELossless,
      ]);
    });

    /** The identifiers gdcmscu shows for a query (see the quirks), after checking the final Success. */
    async function find(args: string[], keys: Record<string, string>): Promise<Printed[]> {
      const query = Object.entries(keys).flatMap(([tag, value]) => ['--key', `${tag}=${value}`]);
      const responses = receivedMessages(await gdcmscu(['--find', ...args, ...host(), ...query]));
      expect(responses.every((r) => field(r, '00000100') === C_FIND_RSP)).toBe(true);
      expect(field(responses.at(-1)!, '00000900')).toBe('0');
      const matches = responses.slice(0, -1);
      expect(matches.length).toBeGreaterThan(0);
      for (const match of matches) expect(field(match, '00000900')).toBe(PENDING);
      return matches;
    }

    /** Each shown match is one of the expected ones, in the attributes these name (values in any order). */
    function expectAmong(matches: Printed[], expected: Printed[]): void {
      const unordered = (m: Printed) =>
        Object.fromEntries(Object.keys(expected[0]!).map((tag) => [tag, [...(m[tag] ?? [])].sort()]));
      for (const match of matches) expect(expected.map(unordered)).toContainEqual(unordered(match));
    }

    it('finds studies, series and images in Study Root', async () => {
      const studies = await find(['--studyroot', '--study'], {
        '10,20': `${prefix}-*`,
        '10,10': '',
        '20,d': '',
        '8,61': '',
        '8,62': '',
        '20,1206': '',
        '20,1208': '',
      });
      expectAmong(studies, [
        {
          '00100020': [patientA],
          '00100010': ['GDCM^ALPHA'],
          '0020000D': [studyA],
          '00080061': ['CT', 'MR'],
          '00080062': [ct.sopClassUid, mr.sopClassUid],
          '00201206': ['2'],
          '00201208': ['2'],
        },
        {
          '00100020': [patientB],
          '00100010': ['GDCM^BETA'],
          '0020000D': [studyB],
          '00080061': ['OT'],
          '00080062': [j2k.sopClassUid],
          '00201206': ['1'],
          '00201208': ['2'],
        },
      ]);
      const series = await find(['--studyroot', '--series'], {
        '20,d': studyA,
        '20,e': '',
        '8,60': '',
        '20,1209': '',
      });
      expectAmong(series, [
        { '0020000D': [studyA], '0020000E': [seriesCt], '00080060': ['CT'], '00201209': ['1'] },
        { '0020000D': [studyA], '0020000E': [seriesMr], '00080060': ['MR'], '00201209': ['1'] },
      ]);
      const images = await find(['--studyroot', '--image'], {
        '20,d': studyB,
        '20,e': seriesSc,
        '8,18': '',
        '8,16': '',
        '20,13': '',
      });
      expectAmong(images, [
        {
          '0020000E': [seriesSc],
          '00080018': [j2k.sopInstanceUid],
          '00080016': [j2k.sopClassUid],
          '00200013': ['1'],
        },
        {
          '0020000E': [seriesSc],
          '00080018': [rle.sopInstanceUid],
          '00080016': [rle.sopClassUid],
          '00200013': ['2'],
        },
      ]);
    });

    it('finds patients and series in Patient Root', async () => {
      const patients = await find(['--patientroot', '--patient'], {
        '10,20': `${prefix}-*`,
        '10,10': '',
        '20,1200': '',
        '20,1204': '',
      });
      expectAmong(patients, [
        { '00100020': [patientA], '00100010': ['GDCM^ALPHA'], '00201200': ['1'], '00201204': ['2'] },
        { '00100020': [patientB], '00100010': ['GDCM^BETA'], '00201200': ['1'], '00201204': ['2'] },
      ]);
      const series = await find(['--patientroot', '--series'], {
        '10,20': patientA,
        '20,d': studyA,
        '20,e': '',
        '8,60': '',
      });
      expectAmong(series, [
        { '0020000E': [seriesCt], '00080060': ['CT'] },
        { '0020000E': [seriesMr], '00080060': ['MR'] },
      ]);
    });

    /** C-MOVE to gdcmscu's own SCP; returns its final response, the files it wrote, and how long it took. */
    async function move(args: string[], keys: Record<string, string>) {
      const target = await mkdtemp(path.join(dir, 'move-'));
      const query = Object.entries(keys).flatMap(([tag, value]) => ['--key', `${tag}=${value}`]);
      const started = Date.now();
      const trace = await gdcmscu([
        '--move',
        ...args,
        '--port-scp',
        String(scpPort),
        '-o',
        target,
        ...host(),
        ...query,
      ]);
      const elapsed = Date.now() - started;
      const final = receivedMessages(trace)
        .filter((m) => field(m, '00000100') === C_MOVE_RSP)
        .at(-1)!;
      return { final, target, files: (await readdir(target)).sort(), elapsed };
    }

    it('moves a study (Study Root) and a patient (Patient Root) to gdcmscu, decompressing what it cannot take', async () => {
      for (const [args, keys, sent] of [
        [['--studyroot', '--study'], { '20,d': studyA }, [ct, mr]],
        [['--patientroot', '--patient'], { '10,20': patientB }, [j2k, rle]],
      ] as const) {
        const { final, target, files, elapsed } = await move([...args], keys);
        expect(field(final, '00000900')).toBe('0');
        expect([field(final, '00001021'), field(final, '00001022'), field(final, '00001023')]).toEqual([
          '2',
          '0',
          '0',
        ]);
        // The final response follows the sub-association's release at once, not after ARTIM (30 s) for
        // gdcmscu, which closes that connection only after the final response (PS3.8 Table 9-10 AR-3).
        expect(elapsed).toBeLessThan(10_000);
        expect(files).toEqual(sent.map((f) => `${f.sopInstanceUid}.dcm`).sort());
        for (const original of sent) {
          const received = path.join(target, `${original.sopInstanceUid}.dcm`);
          // gdcmscu's SCP accepts Implicit VR Little Endian only: Lightbox decompressed JPEG 2000 and RLE
          // for it, to the very pixels GDCM's own decoder makes of the originals.
          const { transferSyntaxUid } = await readPart10(await readFile(received));
          expect(transferSyntaxUid).toBe(TransferSyntaxUid.ImplicitVRLittleEndian);
          const decoded = path.join(dir, `decoded-${original.sopInstanceUid}.dcm`);
          await run('gdcmconv', ['--raw', original.file, decoded]);
          expect(Buffer.compare(await nativePixels(received), await nativePixels(decoded))).toBe(0);
        }
      }
    });
  });
}
