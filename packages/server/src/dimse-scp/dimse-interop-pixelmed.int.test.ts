import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  generateUid,
  getNumber,
  getString,
  readPart10,
  Tag,
  TransferSyntaxUid,
  type DicomJson,
} from '@lightbox/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSetBytes, registerNode } from '../test-support/dimse-fixtures.js';
import { freePort } from '../test-support/free-port.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { pydicomCopy, type PydicomCopy } from '../test-support/pydicom-copy.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { until } from '../test-support/until.js';

/**
 * PixelMed (Debian pixelmed-apps / libpixelmed-java) against Lightbox: its command-line Verification,
 * Storage and Move SCUs, its StorageSOPClassSCPDispatcher as the move destination, and (through
 * test-support/pixelmed-peer.java, as the toolkit's own mains cannot) its Find and Get SCUs.
 *
 * Quirks of PixelMed 20220618 worked around here, not in Lightbox:
 * - VerificationSOPClassSCU takes the called AE title before the calling one, whatever its usage line
 *   says, and needs SECURE or NONSECURE after them; the SCUs exit 0 whether or not they succeeded, so
 *   their logs are read instead (the Storage SCU's per-file outcome only at JUL level FINE);
 * - StorageSOPClassSCU sends every object of a SOP class on one presentation context, whatever the
 *   object's own transfer syntax, converting it when they differ: given an RLE and a JPEG 2000 Secondary
 *   Capture image it re-encodes one in the other's syntax, which it cannot, and that C-STORE fails. The
 *   objects sent here are of different SOP classes.
 */
const run = promisify(execFile);
const JARS = '/usr/share/java/pixelmed.jar:/usr/share/java/javax.json.jar';
const PEER = fileURLToPath(new URL('../test-support/pixelmed-peer.java', import.meta.url));
const SCU_AE = 'PMSCU';
const SCP_AE = 'PMSCP';
const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const PATIENT_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.1.1';
const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
/** Short-lived JVMs start several times faster with the client compiler alone and the serial collector. */
const JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', JARS];

/** Runs a PixelMed class; resolves with its output (stdout, then its log on stderr) whatever its exit. */
function pixelmed(
  args: string[],
  options: { stdin?: string; logging?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  const jul = options.logging !== undefined ? [`-Djava.util.logging.config.file=${options.logging}`] : [];
  return new Promise((resolve, reject) => {
    const child = execFile('java', [...JVM, ...jul, ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      error !== null && error.killed ? reject(error) : resolve({ stdout, stderr }),
    );
    child.stdin!.end(options.stdin ?? '');
  });
}

/** A PixelMed DICOM JSON object with Lightbox's key spelling (PixelMed writes the tags in lower case). */
function normalized(match: DicomJson): DicomJson {
  return Object.fromEntries(Object.entries(match).map(([tag, element]) => [tag.toUpperCase(), element]));
}

const values = (match: DicomJson, tag: string): unknown[] => match[tag]?.Value ?? [];
const sorted = (list: unknown[]): unknown[] => [...list].map(String).sort();

/** The VRs of the matching keys used here. */
const VR: Record<string, string> = { '00100020': 'LO', '0020000D': 'UI', '0020000E': 'UI' };

/** An identifier for pixelmed-peer.java: the level, matching keys, and return keys without a value. */
function identifier(level: string, keys: Record<string, string>, returned: Record<string, string>): string {
  return JSON.stringify([
    {
      '00080052': { vr: 'CS', Value: [level] },
      ...Object.fromEntries(Object.entries(keys).map(([tag, v]) => [tag, { vr: VR[tag]!, Value: [v] }])),
      ...Object.fromEntries(Object.entries(returned).map(([tag, vr]) => [tag, { vr }])),
    },
  ]);
}

/** The Pixel Data value of a Part 10 file. */
async function pixels(file: string): Promise<Buffer> {
  const { dataSet } = await readPart10(await readFile(file), { readPixelData: true });
  return Buffer.from(dataSet.get(Tag.PixelData)!.bytes!);
}

/** Resolves once something accepts connections on the port. */
async function listening(port: number): Promise<void> {
  await until(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    `PixelMed's Storage SCP on port ${port}`,
  );
}

for (const dialect of DIALECTS) {
  describe(`DIMSE interoperability with PixelMed on ${dialect}`, () => {
    let lb: TestLightbox;
    let dir: string;
    let logging: string;
    const patientId = `PIXELMED-${Date.now()}`;
    const studyUid = generateUid();
    // One study, a series each: a CT (explicit VR), an MR (RLE), a Secondary Capture (JPEG 2000), a
    // Basic Text SR (no pixels).
    let files: PydicomCopy[];
    const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };
    const host = () => ['127.0.0.1', String(lb.dicomPort), TEST_AE_TITLE, SCU_AE];

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-pixelmed-'));
      logging = path.join(dir, 'logging.properties');
      await writeFile(
        logging,
        [
          'handlers=java.util.logging.ConsoleHandler',
          '.level=FINE',
          'java.util.logging.ConsoleHandler.level=FINE',
          'java.util.logging.ConsoleHandler.formatter=java.util.logging.SimpleFormatter',
          'java.util.logging.SimpleFormatter.format=%4$s %5$s%6$s%n',
        ].join('\n'),
      );
      // Patient attributes alike in all: Lightbox sends each instance with its patient's current ones.
      const study = {
        '0010,0020': patientId,
        '0010,0010': 'PIXELMED^TEST',
        '0010,0040': 'O',
        '0020,000d': studyUid,
      };
      files = await Promise.all(
        ['CT_small.dcm', 'MR_small_RLE.dcm', 'JPEG2000.dcm', 'reportsi.dcm'].map((name) =>
          pydicomCopy(dir, name, { newSeries: true, set: study }),
        ),
      );
      expect(await registerNode(lb, 'pixelmed', { aet: SCU_AE, port: 104 })).toBe(201);
    });
    afterAll(async () => {
      await lb?.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('answers C-ECHO from VerificationSOPClassSCU', async () => {
      const { stderr } = await pixelmed([
        'com.pixelmed.network.VerificationSOPClassSCU',
        ...host(),
        'NONSECURE',
      ]);
      expect(stderr).toContain('VerificationSOPClass: was successful');
    });

    it('stores what StorageSOPClassSCU sends, in its own syntax, byte for byte', async () => {
      const { stderr } = await pixelmed(['com.pixelmed.network.StorageSOPClassSCU', ...host(), '-', '0'], {
        stdin: files.map((f) => f.file).join('\n'),
        logging,
      });
      for (const f of files) expect(stderr).toContain(`Send ${f.file} succeeded`);
      expect(stderr).toContain('Finished sending all files nRemaining=0 nCompleted=4 nFailed=0 nWarning=0');
      const archive = lb.running.services.archive;
      const stored = (await archive.prepareInstances({ studyUid }, actor)).instances;
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
      expect(files.map((f) => f.transferSyntaxUid)).toEqual([
        TransferSyntaxUid.ExplicitVRLittleEndian,
        TransferSyntaxUid.RLELossless,
        TransferSyntaxUid.JPEG2000,
        TransferSyntaxUid.ExplicitVRLittleEndian,
      ]);
    });

    /** Runs queries over one association of PixelMed's FindSOPClassSCU; the matches of each. */
    async function find(sopClass: string, queries: string[]): Promise<DicomJson[][]> {
      const { stdout, stderr } = await pixelmed([PEER, 'find', ...host(), sopClass], {
        stdin: queries.join('\n'),
      });
      const lines = stdout.trim().split('\n');
      expect(lines, stderr).toHaveLength(queries.length);
      return lines.map((line) => (JSON.parse(line) as DicomJson[]).map(normalized));
    }

    it('finds the study, its series and an image in Study Root', async () => {
      const mr = files[1]!;
      const [studies, series, images, none] = await find(STUDY_ROOT_FIND, [
        identifier(
          'STUDY',
          { '00100020': patientId },
          {
            '0020000D': 'UI',
            '00100010': 'PN',
            '00080061': 'CS',
            '00080062': 'UI',
            '00201206': 'IS',
            '00201208': 'IS',
          },
        ),
        identifier(
          'SERIES',
          { '0020000D': studyUid },
          { '0020000E': 'UI', '00080060': 'CS', '00201209': 'IS' },
        ),
        identifier(
          'IMAGE',
          { '0020000D': studyUid, '0020000E': mr.seriesUid },
          { '00080018': 'UI', '00080016': 'UI' },
        ),
        identifier('STUDY', { '00100020': `${patientId}-NONE` }, { '0020000D': 'UI' }),
      ]);
      expect(studies).toHaveLength(1);
      const study = studies![0]!;
      expect(values(study, '0020000D')).toEqual([studyUid]);
      expect(values(study, '00100010')).toEqual([{ Alphabetic: 'PIXELMED^TEST' }]);
      expect(sorted(values(study, '00080061'))).toEqual(sorted(files.map((f) => f.modality)));
      expect(sorted(values(study, '00080062'))).toEqual(sorted(files.map((f) => f.sopClassUid)));
      expect(values(study, '00201206').map(Number)).toEqual([4]);
      expect(values(study, '00201208').map(Number)).toEqual([4]);
      expect(
        series!
          .map((s) => [values(s, '0020000E')[0], values(s, '00080060')[0], Number(values(s, '00201209')[0])])
          .sort(),
      ).toEqual(files.map((f) => [f.seriesUid, f.modality, 1]).sort());
      expect(images!.map((i) => [values(i, '00080018'), values(i, '00080016')])).toEqual([
        [[mr.sopInstanceUid], [mr.sopClassUid]],
      ]);
      expect(none).toEqual([]);
    });

    it('finds the patient and its study in Patient Root', async () => {
      const [patients, studies] = await find(PATIENT_ROOT_FIND, [
        identifier(
          'PATIENT',
          { '00100020': patientId },
          { '00100010': 'PN', '00201200': 'IS', '00201202': 'IS', '00201204': 'IS' },
        ),
        identifier('STUDY', { '00100020': patientId }, { '0020000D': 'UI', '00201208': 'IS' }),
      ]);
      expect(patients).toHaveLength(1);
      expect(values(patients![0]!, '00100020')).toEqual([patientId]);
      expect(values(patients![0]!, '00100010')).toEqual([{ Alphabetic: 'PIXELMED^TEST' }]);
      expect(['00201200', '00201202', '00201204'].map((t) => Number(values(patients![0]!, t)[0]))).toEqual([
        1, 4, 4,
      ]);
      expect(studies!.map((s) => [values(s, '0020000D')[0], Number(values(s, '00201208')[0])])).toEqual([
        [studyUid, 4],
      ]);
    });

    /** Checks what PixelMed received, in the syntax it says: every instance, with the original's pixels. */
    async function expectReceived(received: string, transferSyntaxes: Map<string, string>): Promise<void> {
      expect([...transferSyntaxes.keys()].sort()).toEqual(files.map((f) => f.sopInstanceUid).sort());
      for (const original of files) {
        const file = path.join(received, original.sopInstanceUid);
        const { dataSet, transferSyntaxUid } = await readPart10(await readFile(file));
        expect(transferSyntaxUid).toBe(transferSyntaxes.get(original.sopInstanceUid));
        expect(getString(dataSet, Tag.SOPClassUID)).toBe(original.sopClassUid);
        if (transferSyntaxUid === original.transferSyntaxUid) {
          // Sent as stored: byte for byte.
          expect(
            Buffer.compare(dataSetBytes(await readFile(file)), dataSetBytes(await readFile(original.file))),
          ).toBe(0);
          continue;
        }
        if (!dataSet.has(Tag.PixelData)) continue; // the SR
        // What Lightbox decompressed for PixelMed has the pixels DCMTK's RLE decoder makes of the
        // original; JPEG 2000 (no decoder at hand) makes a frame of the right size.
        if (original.transferSyntaxUid === TransferSyntaxUid.JPEG2000) {
          const size = ['Rows', 'Columns', 'SamplesPerPixel'] as const;
          const expected =
            size.reduce((n, keyword) => n * getNumber(dataSet, Tag[keyword])!, 1) *
            (getNumber(dataSet, Tag.BitsAllocated)! / 8);
          expect((await pixels(file)).length).toBe(expected);
          continue;
        }
        let reference = original.file;
        if (original.transferSyntaxUid === TransferSyntaxUid.RLELossless) {
          reference = path.join(dir, `decoded-${generateUid()}.dcm`);
          await run('dcmdrle', [original.file, reference]);
        }
        expect(Buffer.compare(await pixels(file), await pixels(reference))).toBe(0);
      }
    }

    it('moves the study to PixelMed’s StorageSOPClassSCPDispatcher with MoveSOPClassSCU', async () => {
      const received = await mkdtemp(path.join(dir, 'move-'));
      const port = await freePort();
      const scp: ChildProcess = spawn(
        'java',
        [...JVM, 'com.pixelmed.network.StorageSOPClassSCPDispatcher', String(port), SCP_AE, received],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      let lastReceivedAt = 0;
      scp.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (chunk.includes('sendReceivedObjectIndication')) lastReceivedAt = Date.now();
      });
      try {
        await listening(port);
        expect(await registerNode(lb, 'pixelmed-scp', { aet: SCP_AE, port })).toBe(201);
        const { stderr } = await pixelmed([
          'com.pixelmed.network.MoveSOPClassSCU',
          ...host(),
          SCP_AE,
          'STUDY',
          studyUid,
        ]);
        const finishedAt = Date.now();
        expect(stderr).toContain('final status = 0x0');
        // "…fileName: <file> from LIGHTBOX in <transfer syntax>", one per instance
        const syntaxes = new Map(
          [...log.matchAll(/fileName: \S+\/([0-9.]+) from \S+ in ([0-9.]+)/g)].map((m) => [m[1]!, m[2]!]),
        );
        expect((await readdir(received)).sort()).toEqual([...syntaxes.keys()].sort());
        await expectReceived(received, syntaxes);
        // The final response follows the sub-association's release at once: the dispatcher closes its
        // end only seconds after its A-RELEASE-RP, as the requestor is to close it (PS3.8 AR-3).
        expect(finishedAt - lastReceivedAt).toBeLessThan(2_500);
      } finally {
        scp.kill();
      }
    });

    it('sends the study back over the association of a C-GET from PixelMed’s GetSOPClassSCU', async () => {
      const received = await mkdtemp(path.join(dir, 'get-'));
      const { stdout, stderr } = await pixelmed(
        [
          PEER,
          'get',
          ...host(),
          STUDY_ROOT_GET,
          received,
          [...new Set(files.map((f) => f.sopClassUid))].join(','),
        ],
        { stdin: identifier('STUDY', { '0020000D': studyUid }, {}) },
      );
      expect(stderr).toContain('CGetResponseHandler.evaluateStatusAndSetSuccess: status = 0x0');
      // "RECEIVED <file> <transfer syntax>", one per instance
      const syntaxes = new Map(
        [...stdout.matchAll(/^RECEIVED \S+\/([0-9.]+) ([0-9.]+)$/gm)].map((m) => [m[1]!, m[2]!]),
      );
      await expectReceived(received, syntaxes);
    });
  });
}
