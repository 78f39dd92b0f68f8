import { generateUid, TransferSyntaxUid, type DicomJson } from '@lightbox/dicom';
import { sequenceElement, syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { CommandField, Status } from '@lightbox/dimse';
import { connectScu } from '@lightbox/dimse/test-support';
import { encodeIdentifier } from '../dimse-scp/identifier.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser, TEST_USER_PASSWORD } from '../test-support/test-users.js';

const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';

/** A study of one instance, referred by the provider with this identifier (if any), from this institution. */
function studyObject(
  patientId: string,
  studyUid: string,
  providerId: string | undefined,
  institution: string,
) {
  const referring =
    providerId === undefined
      ? []
      : [
          sequenceElement(0x00080096, [
            [
              sequenceElement(0x00401101, [
                [
                  textElement(0x00080100, 'SH', providerId),
                  textElement(0x00080102, 'SH', 'L'),
                  textElement(0x00080104, 'LO', 'provider'),
                ],
              ]),
            ],
          ]),
        ];
  return syntheticImage({
    patientId,
    studyInstanceUid: studyUid,
    sopInstanceUid: generateUid(),
    // The same referring physician name on every study: names must never grant access.
    referringPhysicianName: 'Doe^Jane',
    extra: [...referring, textElement(0x00080080, 'LO', institution)],
  });
}

for (const dialect of DIALECTS) {
  describe(`study-level access through QIDO, WADO and C-FIND on ${dialect} (issue #4 §2)`, () => {
    let lb: TestLightbox;
    const patientId = `ACCESS-${dialect}`;
    const studyA = generateUid(); // referred by NPI-111, North Hospital
    const studyB = generateUid(); // referred by NPI-222, South Clinic
    const studyC = generateUid(); // no referring identifier, North Hospital
    const auth = new Map<string, string>();

    const visibleStudies = async (user: string): Promise<string[]> => {
      const response = await fetch(`${lb.dicomweb}/studies?PatientID=${patientId}`, {
        headers: { authorization: auth.get(user)! },
      });
      if (response.status === 204) return [];
      expect(response.status).toBe(200);
      const body = (await response.json()) as DicomJson[];
      return body.map((s) => s['0020000D']!.Value![0] as string).sort();
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      const { body, contentType } = multipartBody([
        { bytes: studyObject(patientId, studyA, 'NPI-111', 'North Hospital') },
        { bytes: studyObject(patientId, studyB, 'NPI-222', 'South Clinic') },
        { bytes: studyObject(patientId, studyC, undefined, 'North Hospital') },
      ]);
      const stored = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);
      auth.set(
        'drA',
        await createUser(lb, 'dr-a', { roles: ['referring-physician'], providerIds: ['NPI-111'] }),
      );
      auth.set('drNone', await createUser(lb, 'dr-none', { roles: ['referring-physician'] }));
      auth.set(
        'scientist',
        await createUser(lb, 'scientist', { roles: ['data-scientist'], institutions: ['South Clinic'] }),
      );
      auth.set('rad', await createUser(lb, 'rad', { roles: ['radiologist'] }));
    });
    afterAll(async () => {
      await lb?.stop();
    });

    /** An association of this user (user identity negotiation) for Study Root C-FIND. */
    const associate = (username: string) =>
      connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        callingAeTitle: 'VIEWER',
        userIdentity: { username, password: TEST_USER_PASSWORD },
        contexts: [
          {
            id: 1,
            abstractSyntax: STUDY_ROOT_FIND,
            transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian],
          },
        ],
      });
    /** Study-level C-FIND for the test patient on an association: the matches. */
    const findOn = async (association: Awaited<ReturnType<typeof associate>>) => {
      const identifier: DicomJson = {
        '00080052': { vr: 'CS', Value: ['STUDY'] },
        '00100020': { vr: 'LO', Value: [patientId] },
        '0020000D': { vr: 'UI' },
      };
      const bytes = encodeIdentifier(identifier, TransferSyntaxUid.ExplicitVRLittleEndian);
      let matches = 0;
      const final = await association.sendRequest(
        1,
        { commandField: CommandField.CFindRq, priority: 0, affectedSopClassUid: STUDY_ROOT_FIND },
        bytes,
        () => (matches += 1),
      );
      expect(final.command.status).toBe(Status.Success);
      return matches;
    };
    /** The same over an association of its own. */
    const find = async (username: string) => {
      const association = await associate(username);
      const matches = await findOn(association);
      await association.release();
      return matches;
    };

    it('QIDO returns a referring physician only the studies that name their provider identifier', async () => {
      expect(await visibleStudies('rad')).toEqual([studyA, studyB, studyC].sort());
      expect(await visibleStudies('drA')).toEqual([studyA]);
      expect(await visibleStudies('drNone')).toEqual([]);
      expect(await visibleStudies('scientist')).toEqual([studyB]);
    });

    it('a referring physician sees the study of an order that names them (HL7 PV1-8), not a same-UID study of another patient', async () => {
      const orderedPatient = `ORDERED-${dialect}`;
      /** Places a CT order for the patient, referred by NPI-333; its accession number. */
      const placeOrder = async () => {
        const placed = await fetch(`${lb.baseUrl}/api/orders`, {
          method: 'POST',
          headers: { authorization: lb.authorization, 'content-type': 'application/json' },
          body: JSON.stringify({
            patient: { patientId: orderedPatient, issuer: 'HOSP', name: 'ORDERED^PATIENT' },
            modality: 'CT',
            referringProviderId: 'NPI-333',
          }),
        });
        expect(placed.status).toBe(201);
        return ((await placed.json()) as { accessionNumber: string }).accessionNumber;
      };
      const accessionNumber = await placeOrder();
      auth.set(
        'drC',
        await createUser(lb, 'dr-c', { roles: ['referring-physician'], providerIds: ['NPI-333'] }),
      );
      const ordered = generateUid();
      const image = (patient: string, studyUid: string) =>
        syntheticImage({
          patientId: patient,
          issuerOfPatientId: 'HOSP',
          accessionNumber,
          studyInstanceUid: studyUid,
          sopInstanceUid: generateUid(),
          rows: 8,
          columns: 8,
        });
      const { body, contentType } = multipartBody([{ bytes: image(orderedPatient, ordered) }]);
      const stored = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);
      await lb.running.services.examTracker.settled();
      const seen = async (user: string, patient: string) => {
        const response = await fetch(`${lb.dicomweb}/studies?PatientID=${patient}`, {
          headers: { authorization: auth.get(user)! },
        });
        if (response.status === 204) return [];
        return ((await response.json()) as DicomJson[]).map((st) => st['0020000D']!.Value![0] as string);
      };
      expect(await seen('drC', orderedPatient)).toEqual([ordered]);
      expect(await seen('drA', orderedPatient)).toEqual([]);
      expect(await seen('drC', patientId)).toEqual([]);

      // The order is corrected (HL7 XO with another PV1-8): the access moves to the right physician.
      auth.set(
        'drD',
        await createUser(lb, 'dr-d', { roles: ['referring-physician'], providerIds: ['NPI-444'] }),
      );
      const system = { username: 'hl7', roles: ['admin'], protocol: 'system' as const };
      await lb.running.services.ris.changeOrder(
        { accessionNumber },
        { patient: { patientId: orderedPatient, issuer: 'HOSP' }, referringProviderId: 'NPI-444' },
        system,
      );
      expect(await seen('drC', orderedPatient)).toEqual([]);
      expect(await seen('drD', orderedPatient)).toEqual([ordered]);

      // Another order for the same physician; a study of another patient arrives under the order's own
      // Study Instance UID and accession: a reconciliation case, not the order's study, so not theirs.
      const secondAccession = await placeOrder();
      const order = await fetch(`${lb.baseUrl}/api/orders/${secondAccession}`, {
        headers: { authorization: lb.authorization },
      });
      const { studyInstanceUid } = (await order.json()) as { studyInstanceUid: string };
      const strangerPatient = `STRANGER-${dialect}`;
      const stranger = syntheticImage({
        patientId: strangerPatient,
        issuerOfPatientId: 'HOSP',
        accessionNumber: secondAccession,
        studyInstanceUid,
        sopInstanceUid: generateUid(),
        rows: 8,
        columns: 8,
      });
      const part = multipartBody([{ bytes: stranger }]);
      const storedStranger = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body: part.body,
        headers: { authorization: lb.authorization, 'content-type': part.contentType },
      });
      expect(storedStranger.status).toBe(200);
      await lb.running.services.examTracker.settled();
      expect(await seen('rad', strangerPatient)).toEqual([studyInstanceUid]);
      expect(await seen('drC', strangerPatient)).toEqual([]);
    });

    it('an identifier that names its issuer matches only that issuer’s numbers, in studies and orders', async () => {
      // The studies' identifiers come with Coding Scheme Designator L.
      auth.set(
        'drAL',
        await createUser(lb, 'dr-a-l', { roles: ['referring-physician'], providerIds: ['NPI-111^L'] }),
      );
      auth.set(
        'drAOther',
        await createUser(lb, 'dr-a-other', {
          roles: ['referring-physician'],
          providerIds: ['NPI-111^OTHER'],
        }),
      );
      expect(await visibleStudies('drAL')).toEqual([studyA]);
      expect(await visibleStudies('drAOther')).toEqual([]);
      const demoted = await fetch(`${lb.baseUrl}/api/users/admin`, {
        method: 'PUT',
        headers: { authorization: lb.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ roles: ['radiologist'] }),
      });
      expect(demoted.status).toBe(409);
      // An identifier that could never match is refused, not kept.
      for (const providerId of ['NPI-111^', 'NPI-111^L^X', ' NPI-111', 'NPI-111 ^ L']) {
        const refused = await fetch(`${lb.baseUrl}/api/users/dr-a-l`, {
          method: 'PUT',
          headers: { authorization: lb.authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ providerIds: [providerId] }),
        });
        expect(refused.status, providerId).toBe(400);
      }
      expect(await visibleStudies('drAL')).toEqual([studyA]);

      // An order whose referring provider's ID was issued by HOSP (PV1-8.9).
      const orderedPatient = `ISSUED-${dialect}`;
      const placed = await fetch(`${lb.baseUrl}/api/orders`, {
        method: 'POST',
        headers: { authorization: lb.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          patient: { patientId: orderedPatient, issuer: 'HOSP', name: 'ISSUED^PATIENT' },
          modality: 'CT',
          referringProviderId: 'NPI-555',
          referringProviderIssuer: 'HOSP',
        }),
      });
      expect(placed.status).toBe(201);
      const { accessionNumber } = (await placed.json()) as { accessionNumber: string };
      const view = await fetch(`${lb.baseUrl}/api/orders/${accessionNumber}`, {
        headers: { authorization: lb.authorization },
      });
      const summary = (await view.json()) as {
        accessionNumber: string;
        studyInstanceUid: string;
        referringProviderId: string;
        referringProviderIssuer: string;
      };
      expect([summary.referringProviderId, summary.referringProviderIssuer]).toEqual(['NPI-555', 'HOSP']);
      const image = syntheticImage({
        patientId: orderedPatient,
        issuerOfPatientId: 'HOSP',
        accessionNumber: summary.accessionNumber,
        studyInstanceUid: summary.studyInstanceUid,
        sopInstanceUid: generateUid(),
        rows: 8,
        columns: 8,
      });
      const { body, contentType } = multipartBody([{ bytes: image }]);
      const stored = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);
      const users = { any: ['NPI-555'], hosp: ['NPI-555^HOSP'], other: ['NPI-555^ELSEWHERE'] };
      for (const [name, providerIds] of Object.entries(users))
        auth.set(
          `dr555${name}`,
          await createUser(lb, `dr-555-${name}`, { roles: ['referring-physician'], providerIds }),
        );
      const seen = async (user: string) => {
        const response = await fetch(`${lb.dicomweb}/studies?PatientID=${orderedPatient}`, {
          headers: { authorization: auth.get(user)! },
        });
        return ((await response.json()) as DicomJson[]).map((st) => st['0020000D']!.Value![0] as string);
      };
      expect(await seen('dr555any')).toEqual([summary.studyInstanceUid]);
      expect(await seen('dr555hosp')).toEqual([summary.studyInstanceUid]);
      expect(await seen('dr555other')).toEqual([]);

      // A corrected order naming the same ID without its issuer: the issuer is not kept from before.
      const system = { username: 'hl7', roles: ['admin'], protocol: 'system' as const };
      await lb.running.services.ris.changeOrder(
        { accessionNumber: summary.accessionNumber },
        { patient: { patientId: orderedPatient, issuer: 'HOSP' }, referringProviderId: 'NPI-555' },
        system,
      );
      expect(await seen('dr555any')).toEqual([summary.studyInstanceUid]);
      expect(await seen('dr555hosp')).toEqual([]);
    });

    it('WADO answers 404 for a study outside the scope, as if it did not exist', async () => {
      const get = (user: string, study: string, path = '/metadata') =>
        fetch(`${lb.dicomweb}/studies/${study}${path}`, { headers: { authorization: auth.get(user)! } });
      expect((await get('drA', studyA)).status).toBe(200);
      expect((await get('drA', studyB)).status).toBe(404);
      expect((await get('drA', studyC)).status).toBe(404);
      expect((await get('drA', studyB, '')).status).toBe(404);
      expect((await get('scientist', studyA)).status).toBe(404);
      expect((await get('scientist', studyB, '')).status).toBe(200);
      const series = await fetch(`${lb.dicomweb}/studies/${studyB}/series`, {
        headers: { authorization: auth.get('drA')! },
      });
      expect([200, 204]).toContain(series.status);
      if (series.status === 200) expect(await series.json()).toEqual([]);
    });

    it('C-FIND over an association of a user (user identity negotiation) is held to the same scope', async () => {
      expect(await find('rad')).toBe(3);
      expect(await find('dr-a')).toBe(1);
      expect(await find('dr-none')).toBe(0);
      expect(await find('scientist')).toBe(1);
    });

    it('C-FIND of a user who broke the glass in the browser sees every study until the access ends, audited', async () => {
      const headers = { authorization: auth.get('drNone')!, 'content-type': 'application/json' };
      expect(await find('dr-none')).toBe(0);
      const started = await fetch(`${lb.baseUrl}/api/emergency-access`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ reason: 'patient transferred unconscious' }),
      });
      expect(started.status).toBe(201);
      expect(await find('dr-none')).toBe(3);
      // An association opened while it is in force loses it with the next request once it ends.
      const open = await associate('dr-none');
      expect(await findOn(open)).toBe(3);
      const trail = (await (
        await fetch(`${lb.baseUrl}/api/audit-events?user=dr-none&eventId=110112`, {
          headers: { authorization: lb.authorization },
        })
      ).json()) as { detail: string }[];
      expect(
        trail.some((e) => e.detail.includes('[emergency access: patient transferred unconscious]')),
      ).toBe(true);
      const ended = await fetch(`${lb.baseUrl}/api/emergency-access`, {
        method: 'DELETE',
        headers: { authorization: auth.get('drNone')! },
      });
      expect(ended.status).toBe(204);
      expect(await findOn(open)).toBe(0);
      await open.release();
      expect(await find('dr-none')).toBe(0);
    });
    it('hides a study from an institution-limited user once a series from elsewhere joins it', async () => {
      expect(await visibleStudies('scientist')).toEqual([studyB]);
      // Anyone who may store can add a series to any study: that must not open the study to others.
      const { body, contentType } = multipartBody([
        { bytes: studyObject(patientId, studyB, 'NPI-222', 'Elsewhere') },
      ]);
      const stored = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);
      expect(await visibleStudies('scientist')).toEqual([]);
    });
  });
}
