import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TransferSyntaxUid } from '../transfer-syntax.js';
import { collectBytes } from './chunks.js';
import { dciodvfy, dcmdump, dcmftest, dcmtk, runPython, testTempDir, writeTempFile } from './node.js';
import {
  nativeFrameLittleEndian,
  resolveSyntheticImageOptions,
  syntheticFrame,
  syntheticImage,
  syntheticImageLayout,
  syntheticImageStream,
  type SyntheticImageOptions,
} from './synthetic-image.js';

/** The test-data builder itself, checked with DCMTK, dicom3tools and pydicom (never with the library). */

function value(dump: string, tag: string): string | undefined {
  const line = dump.split('\n').find((l) => l.startsWith(`(${tag})`));
  return line === undefined
    ? undefined
    : /^\(\S+\) \S\S (\[(.*?)\]|(\S+))/
        .exec(line)
        ?.slice(2)
        .find((v) => v !== undefined);
}

describe('syntheticImage', () => {
  it('a CT slice with the identifiers asked for, valid for dciodvfy', () => {
    const bytes = syntheticImage({
      patientId: 'P-17',
      patientName: 'Müller^Jörg',
      issuerOfPatientId: 'HOSP',
      specificCharacterSet: 'ISO_IR 100',
      studyInstanceUid: '1.2.826.0.1.3680043.10.1',
      seriesInstanceUid: '1.2.826.0.1.3680043.10.1.2',
      sopInstanceUid: '1.2.826.0.1.3680043.10.1.2.3',
      accessionNumber: 'A99',
      studyDate: '20230405',
      studyTime: '101112',
      studyDescription: 'Kopf',
      seriesDescription: 'Axial',
      seriesNumber: 4,
      instanceNumber: 12,
      referringPhysicianName: 'Ref^Doc',
    });
    expect(dcmftest(bytes)).toBe(true);
    const dump = dcmdump(bytes, ['-q', '-Un', '+U8']);
    const expected: Record<string, string> = {
      '0008,0016': '1.2.840.10008.5.1.4.1.1.2',
      '0008,0018': '1.2.826.0.1.3680043.10.1.2.3',
      '0008,0020': '20230405',
      '0008,0030': '101112',
      '0008,0050': 'A99',
      '0008,0060': 'CT',
      '0008,0090': 'Ref^Doc',
      '0008,1030': 'Kopf',
      '0008,103e': 'Axial',
      '0010,0010': 'Müller^Jörg',
      '0010,0020': 'P-17',
      '0010,0021': 'HOSP',
      '0020,000d': '1.2.826.0.1.3680043.10.1',
      '0020,000e': '1.2.826.0.1.3680043.10.1.2',
      '0020,0011': '4',
      '0020,0013': '12',
      '0028,0010': '64',
      '0028,0011': '64',
    };
    for (const [tag, v] of Object.entries(expected))
      expect(value(Buffer.from(dump, 'latin1').toString('utf8'), tag), tag).toBe(v);
    const check = dciodvfy(bytes);
    expect(check.errors, check.output).toEqual([]);
  });

  const syntaxes: [string, SyntheticImageOptions][] = [
    ['explicit little', {}],
    ['implicit little', { transferSyntaxUid: TransferSyntaxUid.ImplicitVRLittleEndian }],
    ['explicit big', { transferSyntaxUid: TransferSyntaxUid.ExplicitVRBigEndian }],
    ['deflated', { transferSyntaxUid: TransferSyntaxUid.DeflatedExplicitVRLittleEndian }],
    ['multi-frame 8-bit', { frames: 4, bitsAllocated: 8 }],
    ['multi-frame RGB', { frames: 2, samplesPerPixel: 3, bitsAllocated: 8 }],
    ['signed 16-bit', { pixelRepresentation: 1 }],
  ];
  for (const [name, options] of syntaxes) {
    it(`${name}: DCMTK reads the pixel values that were asked for`, () => {
      const o = resolveSyntheticImageOptions({ rows: 5, columns: 7, ...options });
      const bytes = syntheticImage(o);
      expect(dcmftest(bytes)).toBe(true);
      // +W writes Pixel Data as little-endian raw, whatever the transfer syntax.
      const dir = mkdtempSync(`${testTempDir()}/raw-`);
      dcmdump(bytes, ['-q', '+W', dir]);
      const raw = rawFile(dir);
      const expected = Buffer.concat(
        Array.from({ length: o.frames }, (_, i) => nativeFrameLittleEndian(o, i)),
      );
      expect(Buffer.compare(raw, expected)).toBe(0);
      if (!name.includes('deflated')) expect(dciodvfy(bytes).errors).toEqual([]);
    });
  }

  it('RLE Lossless frames decode (DCMTK dcmdrle and pydicom) to the native pixel values', () => {
    for (const options of [
      { frames: 2, samplesPerPixel: 3 as const, bitsAllocated: 8 as const, rows: 9, columns: 13 },
      {
        frames: 3,
        bitsAllocated: 16 as const,
        rows: 8,
        columns: 130,
        pixelValue: (f: number, r: number, c: number) => (c < 60 ? 7 : f * 1000 + r * c),
      },
    ]) {
      const o = resolveSyntheticImageOptions({
        transferSyntaxUid: TransferSyntaxUid.RLELossless,
        ...options,
      });
      const path = writeTempFile(syntheticImage(o), 'rle.dcm');
      const expected = Buffer.concat(
        Array.from({ length: o.frames }, (_, i) => nativeFrameLittleEndian(o, i)),
      );
      const decoded = `${path}.native.dcm`;
      dcmtk('dcmdrle', [path, decoded]);
      const dir = mkdtempSync(`${testTempDir()}/raw-`);
      dcmdump(decoded, ['-q', '+W', dir]);
      expect(Buffer.compare(rawFile(dir), expected)).toBe(0);
      const pydicom = runPython<string>(
        'import json, sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nprint(json.dumps(ds.pixel_array.astype(ds.pixel_array.dtype.newbyteorder("<")).tobytes().hex()))',
        [path],
      );
      expect(pydicom).toBe(expected.toString('hex'));
    }
  });

  it('encapsulated syntaxes: DCMTK sees the offset table and one item per fragment', () => {
    const bytes = syntheticImage({
      transferSyntaxUid: TransferSyntaxUid.JPEGBaseline8Bit,
      frames: 3,
      fragmentsPerFrame: 2,
      rows: 8,
      columns: 8,
    });
    const dump = dcmdump(bytes, ['-q']);
    expect(dump).toMatch(/\(7fe0,0010\) OB \(PixelSequence #=7\)/);
    expect(dump).toMatch(/\(fffe,e000\) pi 00\\00\\00\\00\\90\\00\\00\\00\\20\\01\\00\\00\s+#\s+12, 1 Item/);
  });

  it('the stream gives the same bytes as the array, and the layout is right', async () => {
    for (const options of [
      { frames: 3 },
      { transferSyntaxUid: TransferSyntaxUid.RLELossless, frames: 2 },
      { transferSyntaxUid: TransferSyntaxUid.DeflatedExplicitVRLittleEndian },
      { transferSyntaxUid: TransferSyntaxUid.ExplicitVRBigEndian, frames: 2, rows: 3, columns: 3 },
    ]) {
      const o = resolveSyntheticImageOptions(options);
      const bytes = syntheticImage(o);
      expect(Buffer.compare(await collectBytes(syntheticImageStream(o)), bytes)).toBe(0);
      if (o.transferSyntaxUid !== TransferSyntaxUid.DeflatedExplicitVRLittleEndian) {
        const layout = syntheticImageLayout(o);
        expect(layout.totalLength).toBe(bytes.length);
        const first = syntheticFrame(o, 0);
        const at =
          o.transferSyntaxUid === TransferSyntaxUid.RLELossless
            ? layout.pixelDataValueOffset + 8
            : layout.pixelDataValueOffset;
        expect(Buffer.compare(bytes.subarray(at, at + first.length), first)).toBe(0);
      }
    }
  });

  it('resolved options describe one object: same UIDs on every call', () => {
    const o = resolveSyntheticImageOptions({});
    expect(Buffer.compare(syntheticImage(o), syntheticImage(o))).toBe(0);
    expect(Buffer.compare(syntheticImage({}), syntheticImage({}))).not.toBe(0);
  });
});

/** The one `.raw` file `dcmdump +W` wrote into an empty directory. */
function rawFile(dir: string): Buffer {
  const names = readdirSync(dir).filter((n) => n.endsWith('.raw'));
  expect(names).toHaveLength(1);
  return readFileSync(`${dir}/${names[0]!}`);
}
