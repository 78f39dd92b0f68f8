import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid, getString, readPart10, Tag } from '@lightbox/dicom';
import { sequenceElement, syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stowObjects } from '../test-support/dicomweb-client.js';
import { pydicomCopy } from '../test-support/pydicom-copy.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser } from '../test-support/test-users.js';

const run = promisify(execFile);

/** A minimal PDF (of even length). */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n ',
);

interface Where {
  series: string;
  sop: string;
}

/** One study's report, document and image, referred by one provider identifier. */
interface StudyObjects {
  uid: string;
  providerId: string;
  sr: Where;
  pdf: Where;
  image: Where;
}

for (const dialect of DIALECTS) {
  describe(`access scope on rendered documents, WADO-URI and single-part frames on ${dialect}`, () => {
    let lb: TestLightbox;
    let dir: string;
    let drA: string;
    const patientId = `DOCACCESS-${dialect}`;
    const studies: Record<'a' | 'b', StudyObjects> = {
      a: {
        uid: generateUid(),
        providerId: 'NPI-111',
        sr: { series: '', sop: '' },
        pdf: { series: '', sop: '' },
        image: { series: generateUid(), sop: generateUid() },
      },
      b: {
        uid: generateUid(),
        providerId: 'NPI-222',
        sr: { series: '', sop: '' },
        pdf: { series: '', sop: '' },
        image: { series: generateUid(), sop: generateUid() },
      },
    };

    /** dcmodify arguments that put the study, the patient and the referring provider's identifier in. */
    const identity = (study: StudyObjects) => [
      '-nb',
      '-i',
      `(0010,0020)=${patientId}`,
      '-i',
      `(0020,000d)=${study.uid}`,
      '-i',
      `(0008,0096)[0].(0040,1101)[0].(0008,0100)=${study.providerId}`,
      '-i',
      '(0008,0096)[0].(0040,1101)[0].(0008,0102)=L',
      '-i',
      '(0008,0096)[0].(0040,1101)[0].(0008,0104)=provider',
    ];
    const uidsOf = async (bytes: Uint8Array): Promise<Where> => {
      const { dataSet } = await readPart10(bytes);
      return {
        series: getString(dataSet, Tag.SeriesInstanceUID)!,
        sop: getString(dataSet, Tag.SOPInstanceUID)!,
      };
    };

    async function objectsOf(study: StudyObjects): Promise<Uint8Array[]> {
      const report = await pydicomCopy(dir, 'test-SR.dcm', { newSeries: true });
      await run('dcmodify', [...identity(study), report.file]);
      const sr = await readFile(report.file);
      study.sr = await uidsOf(sr);
      const source = path.join(dir, `${generateUid()}.pdf`);
      const file = path.join(dir, `${generateUid()}.dcm`);
      await writeFile(source, PDF);
      await run('pdf2dcm', [source, file]);
      await run('dcmodify', [...identity(study), file]);
      const pdf = await readFile(file);
      study.pdf = await uidsOf(pdf);
      const image = syntheticImage({
        patientId,
        studyInstanceUid: study.uid,
        seriesInstanceUid: study.image.series,
        sopInstanceUid: study.image.sop,
        rows: 4,
        columns: 4,
        bitsAllocated: 8,
        referringPhysicianName: 'Doe^Jane', // the same name on both: names never grant access
        extra: [
          sequenceElement(0x00080096, [
            [
              sequenceElement(0x00401101, [
                [
                  textElement(0x00080100, 'SH', study.providerId),
                  textElement(0x00080102, 'SH', 'L'),
                  textElement(0x00080104, 'LO', 'provider'),
                ],
              ]),
            ],
          ]),
        ],
      });
      return [sr, pdf, image];
    }

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-doc-access-'));
      const objects = [...(await objectsOf(studies.a)), ...(await objectsOf(studies.b))];
      expect(await stowObjects(lb, objects)).toBe(200);
      drA = await createUser(lb, 'dr-docs', { roles: ['referring-physician'], providerIds: ['NPI-111'] });
    });
    afterAll(async () => {
      await lb?.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    const instanceUrl = (study: StudyObjects, where: Where) =>
      `${lb.dicomweb}/studies/${study.uid}/series/${where.series}/instances/${where.sop}`;
    const wadoUri = (study: StudyObjects, where: Where, contentType: string) =>
      `${lb.baseUrl}/wado?requestType=WADO&studyUID=${study.uid}&seriesUID=${where.series}&objectUID=${where.sop}&contentType=${encodeURIComponent(contentType)}`;
    /** 110104 (transfer) events of the physician on a study. */
    const transfers = async (study: StudyObjects) => {
      await lb.running.services.audit.flush();
      const response = await fetch(
        `${lb.baseUrl}/api/audit-events?studyUid=${study.uid}&user=dr-docs&eventId=110104&limit=1000`,
        { headers: { authorization: lb.authorization } },
      );
      expect(response.status).toBe(200);
      return ((await response.json()) as unknown[]).length;
    };

    /** The requests of each kind, for one study: URL, Accept, and the type of a 200 answer. */
    const requests = (study: StudyObjects) => [
      {
        name: 'rendered SR',
        url: `${instanceUrl(study, study.sr)}/rendered`,
        accept: 'text/html',
        type: 'text/html; charset=utf-8',
      },
      {
        name: 'rendered PDF',
        url: `${instanceUrl(study, study.pdf)}/rendered`,
        accept: undefined,
        type: 'application/pdf',
      },
      {
        name: 'WADO-URI SR as HTML',
        url: wadoUri(study, study.sr, 'text/html'),
        accept: undefined,
        type: 'text/html; charset=utf-8',
      },
      // A PDF's default, and HTML refused for it: the list names both, so that the PDF is what comes.
      {
        name: 'WADO-URI PDF',
        url: wadoUri(study, study.pdf, 'text/html,application/pdf'),
        accept: undefined,
        type: 'application/pdf',
      },
      {
        name: 'single-part frame',
        url: `${instanceUrl(study, study.image)}/frames/1`,
        accept: 'application/octet-stream',
        type: 'application/octet-stream',
      },
    ];

    it('answers a referring physician the report, document and frame of their study, each audited', async () => {
      for (const request of requests(studies.a)) {
        const before = await transfers(studies.a);
        const response = await fetch(request.url, {
          headers: {
            authorization: drA,
            ...(request.accept === undefined ? {} : { accept: request.accept }),
          },
        });
        expect(response.status, `${request.name}: ${await response.clone().text()}`).toBe(200);
        expect(response.headers.get('content-type') ?? '', request.name).toMatch(
          new RegExp(`^${request.type.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(;|$)`),
        );
        const body = Buffer.from(await response.arrayBuffer());
        if (request.type === 'application/pdf') expect(body.equals(PDF), request.name).toBe(true);
        if (request.type.startsWith('text/html'))
          expect(body.toString(), request.name).toContain('A mass of');
        if (request.type === 'application/octet-stream') expect(body.length, request.name).toBe(16);
        expect(await transfers(studies.a), `${request.name} audited`).toBe(before + 1);
      }
      // A part of the physician's own study that is not there is no attempt outside their access.
      const missingFrame = await fetch(`${instanceUrl(studies.a, studies.a.image)}/frames/9`, {
        headers: { authorization: drA },
      });
      expect(missingFrame.status).toBe(404);
      await lb.running.services.audit.flush();
      const failures = await fetch(
        `${lb.baseUrl}/api/audit-events?studyUid=${studies.a.uid}&user=dr-docs&eventId=110103&limit=1000`,
        { headers: { authorization: lb.authorization } },
      );
      expect(failures.status).toBe(200);
      const events = (await failures.json()) as { outcome: string }[];
      expect(events.filter((event) => event.outcome === 'failure')).toEqual([]);
    });

    it('answers 404 for another physician’s study, as for one that does not exist, and audits no transfer', async () => {
      const missing: StudyObjects = {
        ...studies.b,
        uid: generateUid(),
        sr: { series: generateUid(), sop: generateUid() },
        pdf: { series: generateUid(), sop: generateUid() },
        image: { series: generateUid(), sop: generateUid() },
      };
      const hidden = requests(studies.b);
      const absent = requests(missing);
      for (const [i, request] of hidden.entries()) {
        const init = {
          headers: {
            authorization: drA,
            ...(request.accept === undefined ? {} : { accept: request.accept }),
          },
        };
        const response = await fetch(request.url, init);
        const body = await response.text();
        expect(response.status, `${request.name}: ${body}`).toBe(404);
        // Nothing of the study in the answer: neither its content nor a hint that it exists.
        expect(body, request.name).not.toContain('A mass of');
        expect(body, request.name).not.toContain('%PDF');
        const none = await fetch(absent[i]!.url, init);
        expect(none.status, request.name).toBe(404);
        expect(response.headers.get('content-type'), request.name).toBe(none.headers.get('content-type'));
        const strip = (text: string, study: StudyObjects) =>
          [
            study.uid,
            study.sr.series,
            study.sr.sop,
            study.pdf.series,
            study.pdf.sop,
            study.image.series,
            study.image.sop,
          ].reduce((out, uid) => out.replaceAll(uid, '<uid>'), text);
        expect(strip(body, studies.b), request.name).toBe(strip(await none.text(), missing));
        // The same requests of an administrator find it: the 404 is the physician's scope.
        const admin = await fetch(request.url, {
          headers: {
            authorization: lb.authorization,
            ...(request.accept === undefined ? {} : { accept: request.accept }),
          },
        });
        expect(admin.status, request.name).toBe(200);
        await admin.arrayBuffer();
      }
      expect(await transfers(studies.b)).toBe(0);
      // The attempts are in the trail all the same: failed accesses naming the study asked for.
      await lb.running.services.audit.flush();
      const attempts = await fetch(
        `${lb.baseUrl}/api/audit-events?studyUid=${studies.b.uid}&user=dr-docs&eventId=110103&limit=1000`,
        { headers: { authorization: lb.authorization } },
      );
      const failed = ((await attempts.json()) as { outcome: string; patientIds: string[] }[]).filter(
        (event) => event.outcome === 'failure',
      );
      expect(failed).toHaveLength(hidden.length);
      // They name the study asked for, never its patient (which the user may not know of).
      expect(failed.every((event) => event.patientIds.length === 0)).toBe(true);
    });

    it('answers 404, not the 406 of its own study, for a representation the hidden object cannot take', async () => {
      // Refusals that depend on what the object is would tell that it exists (and what it is).
      const refused = (study: StudyObjects) => [
        { name: 'WADO-URI PDF as HTML', url: wadoUri(study, study.pdf, 'text/html'), accept: undefined },
        {
          name: 'rendered SR as JPEG',
          url: `${instanceUrl(study, study.sr)}/rendered`,
          accept: 'image/jpeg',
        },
        {
          name: 'rendered PDF as HTML',
          url: `${instanceUrl(study, study.pdf)}/rendered`,
          accept: 'text/html',
        },
        { name: 'WADO-URI SR as JPEG', url: wadoUri(study, study.sr, 'image/jpeg'), accept: undefined },
      ];
      const status = async (request: { url: string; accept: string | undefined }) => {
        const response = await fetch(request.url, {
          headers: {
            authorization: drA,
            ...(request.accept === undefined ? {} : { accept: request.accept }),
          },
        });
        await response.arrayBuffer();
        return response.status;
      };
      const own = refused(studies.a);
      for (const [i, request] of refused(studies.b).entries()) {
        expect(await status(own[i]!), own[i]!.name).toBe(406);
        expect(await status(request), request.name).toBe(404);
      }
      expect(await transfers(studies.b)).toBe(0);
    });

    it('answers OPTIONS alike for both studies: a description of the service, no patient data', async () => {
      const describe = async (study: StudyObjects, url: string) => {
        const response = await fetch(url, { method: 'OPTIONS', headers: { authorization: drA } });
        expect(response.status, url).toBe(200);
        const body = await response.text();
        expect(body).not.toContain(study.uid);
        expect(body).not.toContain(patientId);
        return { allow: response.headers.get('allow'), type: response.headers.get('content-type'), body };
      };
      for (const [a, b] of [
        [
          `${instanceUrl(studies.a, studies.a.sr)}/rendered`,
          `${instanceUrl(studies.b, studies.b.sr)}/rendered`,
        ],
        [
          `${instanceUrl(studies.a, studies.a.image)}/frames/1`,
          `${instanceUrl(studies.b, studies.b.image)}/frames/1`,
        ],
      ] as const) {
        expect(await describe(studies.b, b)).toEqual(await describe(studies.a, a));
      }
    });
  });
}
