import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid, getString, readPart10, Tag } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitMultipart, stowObjects } from '../test-support/dicomweb-client.js';
import { ackOf, hl7Message, hl7Now, mllpSend } from '../test-support/hl7-peers.js';
import { pydicomCopy } from '../test-support/pydicom-copy.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

const run = promisify(execFile);

/** A minimal PDF of an odd length (so its object carries a pad byte), with `filler` bytes of comment. */
function pdf(filler: number): Buffer {
  const body =
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
    `%${'x'.repeat(filler)}\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
  return Buffer.from(body.length % 2 === 1 ? body : `${body} `);
}

const CDA =
  '<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><title>Discharge note</title></ClinicalDocument>\n';

for (const dialect of DIALECTS) {
  describe(`rendered documents, WADO-URI defaults and viewport flips on ${dialect} (PS3.18 §8.3.5, §8.7.4, §9)`, () => {
    let lb: TestLightbox;
    let dir: string;
    const study = generateUid();
    const imageSeries = generateUid();
    const image = generateUid();
    const multiFrame = generateUid();
    const patient = {
      '0010,0020': 'DOC-1',
      '0010,0021': 'HOSP',
      '0010,0010': 'Test^S R',
      '0020,000d': study,
    };
    const sr = { series: '', sop: '' };
    const hostile = { series: '', sop: '' };
    const documents = {
      pdf: { series: '', sop: '', bytes: pdf(10) },
      bigPdf: { series: '', sop: '', bytes: pdf(100_000) },
      cda: { series: '', sop: '', bytes: Buffer.from(CDA) },
    };

    const get = (url: string, accept?: string) =>
      fetch(url.startsWith('http') ? url : `${lb.dicomweb}${url}`, {
        headers: { authorization: lb.authorization, ...(accept === undefined ? {} : { accept }) },
      });
    const instance = (where: { series: string; sop: string }) =>
      `/studies/${study}/series/${where.series}/instances/${where.sop}`;
    const wado = (where: { series: string; sop: string }, query = '') =>
      get(
        `${lb.baseUrl}/wado?requestType=WADO&studyUID=${study}&seriesUID=${where.series}&objectUID=${where.sop}${query}`,
      );
    const transfers = async () => {
      await lb.running.services.audit.flush();
      const response = await get(
        `${lb.baseUrl}/api/audit-events?studyUid=${study}&eventId=110104&limit=1000`,
      );
      return ((await response.json()) as unknown[]).length;
    };

    /** An encapsulated document made by DCMTK's pdf2dcm/cda2dcm, moved into the study. */
    async function encapsulated(
      tool: 'pdf2dcm' | 'cda2dcm',
      bytes: Buffer,
      into: { series: string; sop: string },
    ) {
      const source = path.join(dir, `${generateUid()}.in`);
      const file = path.join(dir, `${generateUid()}.dcm`);
      await writeFile(source, bytes);
      await run(tool, [source, file]);
      const inserts = Object.entries(patient).flatMap(([tag, value]) => ['-i', `(${tag})=${value}`]);
      await run('dcmodify', ['-nb', ...inserts, file]);
      const object = await readFile(file);
      const { dataSet } = await readPart10(object);
      into.series = getString(dataSet, Tag.SeriesInstanceUID)!;
      into.sop = getString(dataSet, Tag.SOPInstanceUID)!;
      return object;
    }

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-documents-'));
      const report = await pydicomCopy(dir, 'test-SR.dcm', { newSeries: true, set: patient });
      Object.assign(sr, { series: report.seriesUid, sop: report.sopInstanceUid });
      // A report whose third item's text (a TEXT item) is markup: it must come out as text.
      const bad = await pydicomCopy(dir, 'test-SR.dcm', { newSeries: true, set: patient });
      await run('dcmodify', [
        '-nb',
        '-m',
        '(0040,a730)[2].(0040,a160)=<script>alert("x")</script> & more',
        bad.file,
      ]);
      Object.assign(hostile, { series: bad.seriesUid, sop: bad.sopInstanceUid });
      const common = {
        studyInstanceUid: study,
        seriesInstanceUid: imageSeries,
        patientId: 'DOC-1',
        issuerOfPatientId: 'HOSP',
        patientName: 'Test^S R',
        bitsAllocated: 8 as const,
      };
      const objects = [
        report.bytes,
        await readFile(bad.file),
        // Every pixel of this 4 × 2 image differs, so that mirrored positions can be told apart.
        syntheticImage({
          ...common,
          sopInstanceUid: image,
          rows: 2,
          columns: 4,
          pixelValue: (_frame, row, column) => row * 100 + column * 30,
        }),
        syntheticImage({
          ...common,
          sopInstanceUid: multiFrame,
          rows: 8,
          columns: 8,
          frames: 3,
          instanceNumber: 2,
        }),
        await encapsulated('pdf2dcm', documents.pdf.bytes, documents.pdf),
        await encapsulated('pdf2dcm', documents.bigPdf.bytes, documents.bigPdf),
        await encapsulated('cda2dcm', documents.cda.bytes, documents.cda),
      ];
      expect(await stowObjects(lb, objects)).toBe(200);
    });
    afterAll(async () => {
      await lb?.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('renders a Structured Report as HTML by default, its header and content tree in UTF-8', async () => {
      const before = await transfers();
      const response = await get(`${instance(sr)}/rendered`);
      expect(response.status, await response.clone().text()).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      // Stored content never runs as a page of Lightbox's origin.
      expect(response.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
      const html = await response.text();
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html).toContain('<h1>Diagnosis</h1>');
      for (const text of [
        'S R Test',
        'COMPLETE (This document is completed!)',
        'VERIFIED',
        'Jörg Riesmeier, OFFIS e.V.',
        'Text Code',
        'A mass of',
        'Diameter',
        'CT Image Storage 1.2.3.4.5.0; frames 5, 2',
      ]) {
        expect(html).toContain(text);
      }
      expect(await transfers()).toBe(before + 1);
    });

    it('renders a Structured Report as plain text, and refuses image types for it (406, not audited)', async () => {
      const text = await get(`${instance(sr)}/rendered`, 'text/plain');
      expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const body = await text.text();
      expect(body).toContain('Verified by');
      expect(body).toContain('Text Code: A mass of');
      expect(body).toContain('Diameter: 3 Length Unit');
      expect(body).not.toContain('<span');
      const before = await transfers();
      const refused = await get(`${instance(sr)}/rendered`, 'image/jpeg');
      expect(refused.status).toBe(406);
      expect(((await refused.json()) as { detail: string }).detail).toContain('text/html or text/plain');
      expect((await get(`${instance(sr)}/frames/1/rendered`)).status).toBe(404);
      expect((await get(`${instance(sr)}/thumbnail`)).status).toBe(404);
      expect(await transfers()).toBe(before);
    });

    it('escapes markup in a report: a TEXT value with <script> comes out as text', async () => {
      const html = await (await get(`${instance(hostile)}/rendered`)).text();
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
      expect(html).not.toContain('<script');
    });

    it('renders encapsulated PDF and CDA as the documents they hold, the pad byte stripped', async () => {
      for (const document of [documents.pdf, documents.bigPdf]) {
        const response = await get(`${instance(document)}/rendered`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/pdf');
        expect(Buffer.from(await response.arrayBuffer())).toEqual(document.bytes);
      }
      const cda = await get(`${instance(documents.cda)}/rendered`, 'text/*');
      expect(cda.headers.get('content-type')).toBe('text/xml');
      expect(await cda.text()).toBe(CDA);
      expect((await get(`${instance(documents.pdf)}/rendered`, 'text/html')).status).toBe(406);
    });

    it('renders a study as multipart, each part in the type its kind renders as', async () => {
      const all = await get(`/studies/${study}/rendered`);
      expect(all.status).toBe(200);
      const parts = splitMultipart(Buffer.from(await all.arrayBuffer()), all.headers.get('content-type')!);
      expect(parts.map((p) => p.headers['content-type']).sort()).toEqual([
        'application/pdf',
        'application/pdf',
        'image/jpeg',
        'image/jpeg',
        'text/html; charset=utf-8',
        'text/html; charset=utf-8',
        'text/xml',
      ]);
      const reports = await get(`/studies/${study}/rendered`, 'multipart/related; type="text/plain"');
      expect(reports.headers.get('content-type')).toMatch(/^multipart\/related; type="text\/plain"/);
      const texts = splitMultipart(
        Buffer.from(await reports.arrayBuffer()),
        reports.headers.get('content-type')!,
      );
      expect(texts).toHaveLength(2);
      expect(texts.map((p) => p.body.toString()).join('')).toContain('&');
      expect((await get(`/studies/${study}/series/${sr.series}/rendered`, 'image/png')).status).toBe(406);
    });

    it('flips the image for a negative viewport width or height (PS3.18 §8.3.5.1.3)', async () => {
      const pixels = async (viewport: string) => {
        const response = await get(
          `${instance({ series: imageSeries, sop: image })}/rendered?viewport=${viewport}`,
          'image/png',
        );
        expect(response.status, await response.clone().text()).toBe(200);
        const { data, info } = await sharp(Buffer.from(await response.arrayBuffer()))
          .raw()
          .toBuffer({ resolveWithObject: true });
        const rows: number[][] = [];
        for (let y = 0; y < info.height; y++) {
          rows.push([...Array(info.width).keys()].map((x) => data[(y * info.width + x) * info.channels]!));
        }
        return rows;
      };
      const plain = await pixels('4,2,0,0,4,2');
      expect(new Set(plain.flat()).size).toBe(8);
      expect(await pixels('4,2,0,0,-4,2')).toEqual(plain.map((row) => [...row].reverse()));
      expect(await pixels('4,2,0,0,4,-2')).toEqual([...plain].reverse());
      expect(await pixels('4,2,0,0,-4,-2')).toEqual([...plain].reverse().map((row) => [...row].reverse()));
      // The region is taken from the source first, then mirrored.
      expect(await pixels('2,2,1,0,-2,2')).toEqual(plain.map((row) => [row[2], row[1]]));
    });

    describe('WADO-URI', () => {
      const imageAt = { series: imageSeries, sop: image };

      it('answers by default a JPEG for a single frame, the object for a multi-frame image, HTML for a report, the PDF', async () => {
        expect((await wado(imageAt)).headers.get('content-type')).toBe('image/jpeg');
        // One frame of it, named by frameNumber, is a single-frame image (PS3.18 §9): a JPEG.
        const frame = await wado({ series: imageSeries, sop: multiFrame }, '&frameNumber=2');
        expect(frame.headers.get('content-type')).toBe('image/jpeg');
        const frames = await wado({ series: imageSeries, sop: multiFrame });
        expect(frames.headers.get('content-type')).toContain('application/dicom');
        const object = await readPart10(new Uint8Array(await frames.arrayBuffer()));
        expect(getString(object.dataSet, Tag.SOPInstanceUID)).toBe(multiFrame);
        const html = await wado(sr);
        expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(await html.text()).toContain('A mass of');
        const document = await wado(documents.pdf);
        expect(document.headers.get('content-type')).toBe('application/pdf');
        expect(Buffer.from(await document.arrayBuffer())).toEqual(documents.pdf.bytes);
        expect((await wado(documents.cda)).headers.get('content-type')).toBe('text/xml');
      });

      it('takes contentType lists in q order', async () => {
        const type = async (where: { series: string; sop: string }, list: string) =>
          (await wado(where, `&contentType=${encodeURIComponent(list)}`)).headers.get('content-type');
        expect(await type(sr, 'text/plain')).toBe('text/plain; charset=utf-8');
        expect(await type(sr, 'text/html;q=0.2,text/plain;q=0.9')).toBe('text/plain; charset=utf-8');
        expect(await type(sr, 'text/plain;q=0.5,text/html')).toBe('text/html; charset=utf-8');
        expect(await type(sr, 'image/jpeg,application/dicom;q=0.1')).toContain('application/dicom');
        expect(await type(imageAt, 'image/jpeg;q=0.3,image/png')).toBe('image/png');
        expect(await type({ series: imageSeries, sop: multiFrame }, 'image/*')).toBe('image/jpeg');
        expect((await wado(sr, '&contentType=image/jpeg')).status).toBe(406);
        // The default's first choice (the object) cannot be had in that syntax: the next one is taken.
        const fallback = await wado(
          { series: imageSeries, sop: multiFrame },
          '&transferSyntax=1.2.840.10008.1.2.4.50',
        );
        expect(fallback.status, await fallback.clone().text()).toBe(200);
        expect(fallback.headers.get('content-type')).toBe('image/jpeg');
      });

      it('refuses anonymize=yes rather than answer the identified object (400, nothing audited)', async () => {
        const before = await transfers();
        for (const where of [imageAt, sr]) {
          const response = await wado(where, '&anonymize=yes&contentType=application/dicom');
          expect(response.status).toBe(400);
          expect(response.headers.get('content-type')).toContain('application/problem+json');
          const problem = (await response.json()) as { parameter: string; detail: string };
          expect(problem.parameter).toBe('anonymize');
          expect(problem.detail).toContain('de-identification on retrieval is not supported');
        }
        expect(await transfers()).toBe(before);
      });

      it('checks imageQuality and refuses image parameters with application/dicom', async () => {
        for (const query of ['&imageQuality=0', '&imageQuality=101', '&imageQuality=50.5']) {
          const response = await wado(imageAt, `&contentType=image/jpeg${query}`);
          expect(response.status).toBe(400);
          expect(((await response.json()) as { parameter: string }).parameter).toBe('imageQuality');
        }
        expect((await wado(imageAt, '&contentType=image/jpeg&imageQuality=100')).status).toBe(200);
        for (const parameter of [
          'rows=10',
          'columns=10',
          'region=0,0,1,1',
          'windowCenter=1&windowWidth=2',
          'frameNumber=1',
          'imageQuality=80',
        ]) {
          const response = await wado(imageAt, `&contentType=application/dicom&${parameter}`);
          expect(response.status).toBe(400);
          expect(((await response.json()) as { detail: string }).detail).toContain('application/dicom');
        }
      });

      it('crops to region (fractions of the image) through the render pipeline', async () => {
        const png = async (query: string) => {
          const response = await wado(imageAt, `&contentType=image/png${query}`);
          expect(response.status, await response.clone().text()).toBe(200);
          return sharp(Buffer.from(await response.arrayBuffer()))
            .raw()
            .toBuffer({ resolveWithObject: true });
        };
        const whole = await png('&windowCenter=128&windowWidth=256');
        const right = await png('&windowCenter=128&windowWidth=256&region=0.5,0.5,1.0,1.0');
        expect([right.info.width, right.info.height]).toEqual([2, 1]);
        const at = (image: typeof whole, x: number, y: number) =>
          image.data[(y * image.info.width + x) * image.info.channels];
        expect([at(right, 0, 0), at(right, 1, 0)]).toEqual([at(whole, 2, 1), at(whole, 3, 1)]);
        for (const region of ['0.5,0,0.2,1', '0,0,1', '-0.1,0,1,1', '0,0,1,1.5', 'a,b,c,d']) {
          expect((await wado(imageAt, `&contentType=image/png&region=${region}`)).status).toBe(400);
        }
      });
    });

    it('names the patient in a report as the archive knows them now (ADT^A08 rename)', async () => {
      const [ack] = await mllpSend(lb.hl7Port, [
        hl7Message(
          `MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Now()}||ADT^A08|A08-${generateUid().slice(-8)}|P|2.5.1`,
          `EVN||${hl7Now()}`,
          'PID|1||DOC-1^^^HOSP^MR||ROE^JANE||19800102|F',
        ),
      ]);
      expect(ackOf(ack!).code).toBe('AA');
      const html = await (await get(`${instance(sr)}/rendered`)).text();
      expect(html).toContain('<tr><th>Patient</th><td>JANE ROE</td></tr>');
      expect(html).not.toContain('S R Test');
      const text = await (await wado(sr, '&contentType=text/plain')).text();
      expect(text).toContain('JANE ROE');
    });
  });
}
