import { generateUid, TransferSyntaxUid } from '@lightbox/dicom';
import { bytesElement, numberElement, sequenceElement, syntheticImage } from '@lightbox/dicom/test-support';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stowObjects } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

/** A 256-entry table of 16-bit entries (OW, little endian) from an 8-bit ramp function. */
function table(value: (index: number) => number): Uint8Array {
  const out = new Uint8Array(512);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 256; i++) view.setUint16(i * 2, value(i) * 257, true);
  return out;
}

/**
 * An 8-bit PALETTE COLOR image (PS3.3 C.7.6.3.1.5-6) of 4 columns whose stored values 0, 1, 2, 3 the
 * palette maps to red, green, blue and white.
 */
function paletteImage(
  studyInstanceUid: string,
  seriesInstanceUid: string,
  sopInstanceUid: string,
  transferSyntaxUid: string,
) {
  const colours = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 255],
  ];
  const channel = (c: number) => table((i) => colours[i]?.[c] ?? 0);
  return syntheticImage({
    studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    transferSyntaxUid,
    rows: 2,
    columns: 4,
    bitsAllocated: 8,
    bitsStored: 8,
    photometricInterpretation: 'PALETTE COLOR',
    modality: 'US',
    pixelValue: (_frame, _row, column) => column,
    extra: [
      numberElement(0x00281101, 'US', [256, 0, 16]),
      numberElement(0x00281102, 'US', [256, 0, 16]),
      numberElement(0x00281103, 'US', [256, 0, 16]),
      bytesElement(0x00281201, 'OW', channel(0)),
      bytesElement(0x00281202, 'OW', channel(1)),
      bytesElement(0x00281203, 'OW', channel(2)),
    ],
  });
}

/**
 * A 16-bit image of 4 columns (stored 0, 1, 2, 3; -1024 … -1021 after the synthetic rescale) without a
 * window but with a VOI LUT (PS3.3 C.11.2.1.1) from -1024 (written as US, as many objects do) that maps
 * them to 0, 200, 100 and 255.
 */
function voiLutImage(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string) {
  const lut = new Uint8Array(8);
  const view = new DataView(lut.buffer);
  [0, 200, 100, 255].forEach((v, i) => view.setUint16(i * 2, v, true));
  return syntheticImage({
    studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    rows: 1,
    columns: 4,
    modality: 'CR',
    pixelValue: (_frame, _row, column) => column,
    extra: [
      sequenceElement(0x00283010, [
        [numberElement(0x00283002, 'US', [4, 0x10000 - 1024, 8]), bytesElement(0x00283006, 'OW', lut)],
      ]),
    ],
  });
}

for (const dialect of DIALECTS) {
  describe(`rendering PALETTE COLOR and VOI LUT images on ${dialect} (PS3.18 §10.4.1.1.3)`, () => {
    let lb: TestLightbox;
    const study = generateUid();
    const series = generateUid();
    const native = generateUid();
    const rle = generateUid();
    const lutStudy = generateUid();
    const lutSeries = generateUid();
    const lut = generateUid();

    const render = async (sop: string, where = { study, series }) => {
      const response = await fetch(
        `${lb.dicomweb}/studies/${where.study}/series/${where.series}/instances/${sop}/rendered`,
        { headers: { authorization: lb.authorization, accept: 'image/png' } },
      );
      expect(response.status, await response.clone().text()).toBe(200);
      return sharp(Buffer.from(await response.arrayBuffer()))
        .raw()
        .toBuffer({ resolveWithObject: true });
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      expect(
        await stowObjects(lb, [
          paletteImage(study, series, native, TransferSyntaxUid.ExplicitVRLittleEndian),
          paletteImage(study, series, rle, TransferSyntaxUid.RLELossless),
          voiLutImage(lutStudy, lutSeries, lut),
        ]),
      ).toBe(200);
    });
    afterAll(async () => {
      await lb?.stop();
    });

    for (const [name, sop] of [
      ['uncompressed', () => native],
      ['RLE', () => rle],
    ] as const) {
      it(`renders a ${name} one in its palette's colours`, async () => {
        const { data, info } = await render(sop());
        expect([info.width, info.height, info.channels]).toEqual([4, 2, 3]);
        expect([...data.subarray(0, 12)]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
      });
    }

    it('makes a colour thumbnail of it', async () => {
      const response = await fetch(`${lb.dicomweb}/studies/${study}/thumbnail`, {
        headers: { authorization: lb.authorization },
      });
      expect(response.status).toBe(200);
      expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).channels).toBe(3);
    });

    it('renders an image without a window through its VOI LUT', async () => {
      const { data, info } = await render(lut, { study: lutStudy, series: lutSeries });
      expect(info.width).toBe(4);
      // Grey: every channel the same (the stored values 0…3 are -1024…-1021 after the rescale).
      expect([...data].filter((_, i) => i % info.channels === 0)).toEqual([0, 200, 100, 255]);
    });
  });
}
