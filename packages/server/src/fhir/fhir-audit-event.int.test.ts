import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stowObjects } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { basicAuth, createUser } from '../test-support/test-users.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

interface Coding {
  system: string;
  code: string;
}
interface AuditEventJson {
  resourceType: string;
  id: string;
  type: Coding;
  subtype?: Coding[];
  action: string;
  recorded: string;
  outcome: string;
  agent: Array<{ name?: string; requestor: boolean; altId?: string; network?: { address: string } }>;
  source: { observer: { display: string } };
  entity?: Array<{ what: { identifier: { system?: string; value: string } } }>;
}
interface BundleJson {
  resourceType: string;
  type: string;
  link: Array<{ relation: string; url: string }>;
  entry?: Array<{ fullUrl: string; resource: AuditEventJson; search: { mode: string } }>;
}
interface OutcomeJson {
  resourceType: string;
  issue: Array<{ severity: string; code: string; diagnostics: string; expression?: string[] }>;
}

for (const dialect of DIALECTS) {
  describe(`FHIR AuditEvent at /fhir on ${dialect} (issue #4 §3)`, () => {
    let lb: TestLightbox;
    let officer: string;
    let radiologist: string;
    const patientId = `FHIR-${dialect}`;
    const studyUid = generateUid();

    const get = async (path: string, authorization = officer) => {
      const response = await fetch(`${lb.baseUrl}/fhir${path}`, { headers: { authorization } });
      return {
        status: response.status,
        type: response.headers.get('content-type') ?? '',
        body: await response.json(),
      };
    };
    const search = async (query: string) => {
      const answer = await get(`/AuditEvent?${query}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.type).toContain('application/fhir+json');
      const bundle = answer.body as BundleJson;
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
      return bundle;
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      officer = await createUser(lb, 'officer', { roles: ['security-officer'] });
      radiologist = await createUser(lb, 'reader', { roles: ['radiologist'] });
      const image = syntheticImage({ patientId, studyInstanceUid: studyUid, sopInstanceUid: generateUid() });
      expect(await stowObjects(lb, [image])).toBe(200);
      // A query by the radiologist, and a wrong password.
      await (
        await fetch(`${lb.dicomweb}/studies?PatientID=${patientId}`, {
          headers: { authorization: radiologist },
        })
      ).arrayBuffer();
      await (
        await fetch(`${lb.baseUrl}/api/me`, {
          headers: { authorization: basicAuth('reader', 'not-the-password') },
        })
      ).arrayBuffer();
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('finds the events of a patient and of a study, as AuditEvent resources with DCM codes', async () => {
      const byPatient = await search(`patient:identifier=${patientId}`);
      const events = byPatient.entry!.map((e) => e.resource);
      expect(events.length).toBeGreaterThanOrEqual(2);
      for (const event of events) {
        expect(event.resourceType).toBe('AuditEvent');
        expect(event.type.system).toBe(DCM);
        expect(event.entity!.map((e) => e.what.identifier.value)).toContain(patientId);
        expect(event.source.observer.display).toContain(TEST_AE_TITLE);
      }
      const query = events.find((e) => e.type.code === '110112')!;
      expect(query).toBeDefined();
      expect(query.action).toBe('E');
      expect(query.outcome).toBe('0');
      expect(query.agent.find((a) => a.requestor)?.name).toBe('reader');
      expect(byPatient.entry!.every((e) => e.fullUrl.endsWith(`/fhir/AuditEvent/${e.resource.id}`))).toBe(
        true,
      );

      const byStudy = await search(
        `entity:identifier=${encodeURIComponent(`urn:dicom:uid|urn:oid:${studyUid}`)}`,
      );
      const stored = byStudy.entry!.map((e) => e.resource);
      expect(stored.length).toBeGreaterThanOrEqual(1);
      expect(stored[0]!.entity!.map((e) => e.what.identifier)).toContainEqual({
        system: 'urn:dicom:uid',
        value: `urn:oid:${studyUid}`,
      });
    });

    it('searches by type, outcome, user and date, and pages with _count and the next link', async () => {
      const failedLogins = await search(
        `type=${encodeURIComponent(`${DCM}|110114`)}&outcome=4&agent-name=reader`,
      );
      expect(failedLogins.entry!.length).toBeGreaterThanOrEqual(1);
      for (const { resource } of failedLogins.entry!) {
        expect(resource.type.code).toBe('110114');
        expect(resource.outcome).toBe('4');
        expect(resource.subtype?.[0]?.code).toBe('110122');
        // No participant objects: FHIR JSON then has no `entity` (never an empty array).
        expect(resource.entity).toBeUndefined();
      }
      expect((await search('outcome=8')).entry).toBeUndefined();
      const today = new Date().toISOString().slice(0, 10);
      expect(
        (await search(`date=ge${today}&patient:identifier=${patientId}`)).entry?.length ?? 0,
      ).toBeGreaterThan(0);
      expect((await search(`date=lt2000-01-01`)).entry ?? []).toEqual([]);

      const none = await search('_count=0');
      expect(none.entry).toBeUndefined();
      expect(none.link.map((l) => l.relation)).toEqual(['self']);
      // A page asked for by offset alone comes from the same fixed set as its next link.
      const third = await search('_count=1&_offset=2');
      const fourth = await search(third.link.find((l) => l.relation === 'next')!.url.split('?')[1]!);
      expect(Number(fourth.entry![0]!.resource.id)).toBeLessThan(Number(third.entry![0]!.resource.id));

      const first = await search('_count=1');
      expect(first.entry).toHaveLength(1);
      const next = first.link.find((l) => l.relation === 'next')!.url;
      const second = await search(next.slice(next.indexOf('?') + 1));
      expect(second.entry).toHaveLength(1);
      expect(second.entry![0]!.resource.id).not.toBe(first.entry![0]!.resource.id);
    });

    it('reads one event by id, and records that the trail was read', async () => {
      const [entry] = (await search(`patient:identifier=${patientId}&_count=1`)).entry!;
      const read = await get(`/AuditEvent/${entry!.resource.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(entry!.resource);
      const used = await search(`type=110101&agent-name=officer`);
      expect(used.entry!.length).toBeGreaterThan(0);
    });

    it('answers errors as OperationOutcome: a bad parameter, an unknown id, another role, no credentials', async () => {
      const bad = await get('/AuditEvent?date=yesterday');
      expect(bad.status).toBe(400);
      expect(bad.type).toContain('application/fhir+json');
      expect((bad.body as OutcomeJson).issue[0]).toMatchObject({
        severity: 'error',
        code: 'invalid',
        expression: ['date'],
      });
      expect((await get('/AuditEvent?date=2026-13')).status).toBe(400);
      expect((await get('/AuditEvent?date=2026-02-30')).status).toBe(400);
      const missing = await get('/AuditEvent/999999999');
      expect(missing.status).toBe(404);
      expect((missing.body as OutcomeJson).issue[0]!.code).toBe('not-found');
      const forbidden = await get('/AuditEvent', radiologist);
      expect(forbidden.status).toBe(403);
      expect((forbidden.body as OutcomeJson).resourceType).toBe('OperationOutcome');
      const anonymous = await fetch(`${lb.baseUrl}/fhir/AuditEvent`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
      expect(((await anonymous.json()) as OutcomeJson).issue[0]!.code).toBe('login');
      expect((await get('/AuditEvent?_format=xml')).status).toBe(406);
    });

    it('describes itself in a CapabilityStatement', async () => {
      const metadata = await get('/metadata', radiologist);
      expect(metadata.status).toBe(200);
      expect(metadata.body).toMatchObject({
        resourceType: 'CapabilityStatement',
        fhirVersion: '4.0.1',
        rest: [{ mode: 'server', resource: [{ type: 'AuditEvent' }] }],
      });
    });
  });
}
