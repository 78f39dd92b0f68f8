import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid, getString, readPart10, Tag, TransferSyntaxUid, type DataSet } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitMultipart } from '../test-support/dicomweb-client.js';
import { registerNode } from '../test-support/dimse-fixtures.js';
import { movescu } from '../test-support/movescu.js';
import { pydicomCopy } from '../test-support/pydicom-copy.js';
import { startStorescp, type StorescpPeer } from '../test-support/storescp-peer.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';

const run = promisify(execFile);
const dcmtkEnv = { ...process.env, TCP_NODELAY: '1' };

/** Every element of a data set, sequences item by item, as `path vr hex-value` lines (encoding-free). */
function flatten(dataSet: DataSet, prefix = ''): string[] {
  const lines: string[] = [];
  for (const element of dataSet.elements.values()) {
    const tag = `${prefix}${element.tag.toString(16).padStart(8, '0')}`;
    if (element.items !== undefined) {
      lines.push(`${tag} SQ ${element.items.length}`);
      element.items.forEach((item, i) => lines.push(...flatten(item, `${tag}[${i}].`)));
    } else {
      lines.push(`${tag} ${element.vr} ${Buffer.from(element.bytes ?? new Uint8Array(0)).toString('hex')}`);
    }
  }
  return lines;
}

/** The data set of a Part 10 object, every value read (the pixel data too). */
async function valuesOf(part10: Uint8Array): Promise<{ syntax: string; lines: string[] }> {
  const object = await readPart10(part10, {
    readPixelData: true,
    bulkDataThreshold: Number.MAX_SAFE_INTEGER,
  });
  return { syntax: object.transferSyntaxUid, lines: flatten(object.dataSet) };
}

describe('deflated objects leave the archive inflated for peers that do not take deflate', () => {
  let lb: TestLightbox;
  let work: string;
  let nativeOnly: StorescpPeer;
  /** pydicom's MR_small with new UIDs, deflated by DCMTK, as stored through storescu. */
  let mr: { bytes: Uint8Array; studyUid: string; seriesUid: string; sopInstanceUid: string };
  /** A 512×512 16-bit image: its pixel data spans many inflated chunks. */
  let large: { bytes: Uint8Array; studyUid: string; seriesUid: string; sopInstanceUid: string };

  beforeAll(async () => {
    lb = await startTestLightbox('sqlite');
    work = await mkdtemp(path.join(tmpdir(), 'lightbox-deflated-'));
    nativeOnly = await startStorescp('DEST_NATIVE'); // Explicit and Implicit VR Little Endian only
    expect(await registerNode(lb, 'dest-native', { aet: 'DEST_NATIVE', port: nativeOnly.port })).toBe(201);
    expect(await registerNode(lb, 'movescu', { aet: 'MOVESCU', port: 104 })).toBe(201);
    const copy = await pydicomCopy(work, 'MR_small.dcm', { newStudy: true, newSeries: true });
    const deflated = path.join(work, 'mr-deflated.dcm');
    await run('dcmconv', ['+td', copy.file, deflated]);
    mr = { ...copy, bytes: await readFile(deflated) };
    const sopInstanceUid = generateUid();
    const studyUid = generateUid();
    const seriesUid = generateUid();
    large = {
      bytes: syntheticImage({
        studyInstanceUid: studyUid,
        seriesInstanceUid: seriesUid,
        sopInstanceUid,
        rows: 512,
        columns: 512,
        transferSyntaxUid: TransferSyntaxUid.DeflatedExplicitVRLittleEndian,
      }),
      studyUid,
      seriesUid,
      sopInstanceUid,
    };
    const largeFile = path.join(work, 'large-deflated.dcm');
    await writeFile(largeFile, large.bytes);
    // -xd proposes Deflated Explicit VR Little Endian: the objects are taken, and stored, deflated.
    await run(
      'storescu',
      ['-xd', '-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort), deflated, largeFile],
      {
        env: dcmtkEnv,
      },
    );
  });
  afterAll(async () => {
    await lb?.stop();
    await nativeOnly?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  async function storedSyntax(studyUid: string): Promise<string[]> {
    const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };
    const { instances } = await lb.running.services.archive.prepareInstances({ studyUid }, actor);
    return instances.map((i) => i.transferSyntaxUid);
  }

  it('stores what storescu sends deflated as deflated', async () => {
    expect(await storedSyntax(mr.studyUid)).toEqual([TransferSyntaxUid.DeflatedExplicitVRLittleEndian]);
    expect(await storedSyntax(large.studyUid)).toEqual([TransferSyntaxUid.DeflatedExplicitVRLittleEndian]);
  });

  it('moves them to a storescp that accepts no deflate, inflated, with the same data set', async () => {
    for (const study of [mr.studyUid, large.studyUid]) {
      const stderr = await movescu(lb, 'DEST_NATIVE', [
        'QueryRetrieveLevel=STUDY',
        `StudyInstanceUID=${study}`,
      ]);
      expect(stderr).toContain('Received Final Move Response (Success)');
    }
    const received = [...(await nativeOnly.received()).values()];
    expect(received).toHaveLength(2);
    const originals = new Map([
      [mr.sopInstanceUid, await valuesOf(mr.bytes)],
      [large.sopInstanceUid, await valuesOf(large.bytes)],
    ]);
    for (const file of received) {
      const got = await valuesOf(file);
      expect([TransferSyntaxUid.ExplicitVRLittleEndian, TransferSyntaxUid.ImplicitVRLittleEndian]).toContain(
        got.syntax,
      );
      const uid = getString((await readPart10(file)).dataSet, Tag.SOPInstanceUID)!;
      const original = originals.get(uid)!;
      expect(original.syntax).toBe(TransferSyntaxUid.DeflatedExplicitVRLittleEndian);
      if (got.syntax === TransferSyntaxUid.ExplicitVRLittleEndian) expect(got.lines).toEqual(original.lines);
      else expect(got.lines.length).toBe(original.lines.length); // implicit VR: the VRs come from the dictionary
    }
  });

  it('serves them by WADO-RS as Explicit VR Little Endian, with the same data set', async () => {
    for (const object of [mr, large]) {
      const response = await lb.fetch(
        `${lb.dicomweb}/studies/${object.studyUid}/series/${object.seriesUid}/instances/${object.sopInstanceUid}`,
        {
          headers: {
            authorization: lb.authorization,
            accept: `multipart/related; type="application/dicom"; transfer-syntax=${TransferSyntaxUid.ExplicitVRLittleEndian}`,
          },
        },
      );
      expect(response.status).toBe(200);
      const parts = splitMultipart(
        Buffer.from(await response.arrayBuffer()),
        response.headers.get('content-type')!,
      );
      expect(parts).toHaveLength(1);
      expect(parts[0]!.headers['content-type']).toContain(
        `transfer-syntax=${TransferSyntaxUid.ExplicitVRLittleEndian}`,
      );
      const got = await valuesOf(parts[0]!.body);
      expect(got.syntax).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
      expect(got.lines).toEqual((await valuesOf(object.bytes)).lines);
    }
  });
});
