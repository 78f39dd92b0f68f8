import { generateUid, type DicomJson } from '@lightbox/dicom';
import { sequenceElement, syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser } from '../test-support/test-users.js';

for (const dialect of DIALECTS) {
  describe(`break the glass on ${dialect} (issue #4)`, () => {
    let lb: TestLightbox;
    let doctor: string;
    let officer: string;
    const patientId = `GLASS-${dialect}`;
    const study = generateUid();
    const json = (auth: string, body?: unknown) => ({
      headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const studies = async () => {
      const response = await fetch(`${lb.dicomweb}/studies?PatientID=${patientId}`, json(doctor));
      return response.status === 204 ? [] : ((await response.json()) as DicomJson[]);
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      const referredElsewhere = sequenceElement(0x00080096, [
        [sequenceElement(0x00401101, [[textElement(0x00080100, 'SH', 'NPI-OTHER')]])],
      ]);
      const { body, contentType } = multipartBody([
        {
          bytes: syntheticImage({
            patientId,
            studyInstanceUid: study,
            sopInstanceUid: generateUid(),
            extra: [referredElsewhere],
          }),
        },
      ]);
      expect(
        (
          await fetch(`${lb.dicomweb}/studies`, {
            method: 'POST',
            body,
            headers: { authorization: lb.authorization, 'content-type': contentType },
          })
        ).status,
      ).toBe(200);
      doctor = await createUser(lb, 'er-doctor', { roles: ['referring-physician'], providerIds: ['NPI-ER'] });
      officer = await createUser(lb, 'officer', { roles: ['security-officer'] });
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('needs a stated reason and a bounded time', async () => {
      const short = await fetch(`${lb.baseUrl}/api/emergency-access`, {
        method: 'POST',
        ...json(doctor, { reason: 'now' }),
      });
      expect(short.status).toBe(400);
      const long = await fetch(`${lb.baseUrl}/api/emergency-access`, {
        method: 'POST',
        ...json(doctor, { reason: 'unconscious patient in the ER', minutes: 10_000 }),
      });
      expect(long.status).toBe(400);
      // A role that may not break the glass is refused.
      expect(
        (
          await fetch(`${lb.baseUrl}/api/emergency-access`, {
            method: 'POST',
            ...json(officer, { reason: 'just looking around' }),
          })
        ).status,
      ).toBe(403);
    });

    it('opens every study for a limited time, marks each access, tells the security officer, and closes again', async () => {
      expect(await studies()).toEqual([]);
      const started = await fetch(`${lb.baseUrl}/api/emergency-access`, {
        method: 'POST',
        ...json(doctor, { reason: 'unconscious patient in the ER, no referral on file', minutes: 30 }),
      });
      expect(started.status).toBe(201);
      const body = (await started.json()) as { expiresAt: string };
      expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);
      expect((await studies()).map((s) => s['0020000D']!.Value![0])).toEqual([study]);
      expect((await fetch(`${lb.dicomweb}/studies/${study}/metadata`, json(doctor))).status).toBe(200);

      const notices = (await (
        await fetch(`${lb.baseUrl}/api/notifications?unacknowledged=true`, json(officer))
      ).json()) as {
        id: number;
        subject: string;
        body: string;
      }[];
      const notice = notices.find((n) => n.subject === 'Emergency access by er-doctor');
      expect(notice?.body).toContain('unconscious patient in the ER');
      expect(
        (
          await fetch(`${lb.baseUrl}/api/notifications/${notice!.id}/acknowledge`, {
            method: 'POST',
            ...json(officer),
          })
        ).status,
      ).toBe(204);
      const left = (await (
        await fetch(`${lb.baseUrl}/api/notifications?unacknowledged=true`, json(officer))
      ).json()) as { id: number }[];
      expect(left.map((n) => n.id)).not.toContain(notice!.id);

      // Someone who is both security officer and administrator sees that notice once, and acknowledging
      // it acknowledges both copies; the plain administrators still see theirs until one of them does.
      const both = await createUser(lb, 'officer-admin', { roles: ['security-officer', 'admin'] });
      await fetch(`${lb.baseUrl}/api/emergency-access`, {
        method: 'POST',
        ...json(doctor, { reason: 'second emergency, a trauma call at night', minutes: 15 }),
      });
      const seen = (await (
        await fetch(`${lb.baseUrl}/api/notifications?unacknowledged=true`, json(both))
      ).json()) as { id: number; body: string; audience: string }[];
      const second = seen.filter((n) => n.body.includes('trauma call'));
      expect(second).toHaveLength(1);
      expect(second[0]!.audience.split(', ').sort()).toEqual(['admin', 'security-officer']);
      expect(
        (
          await fetch(`${lb.baseUrl}/api/notifications/${second[0]!.id}/acknowledge`, {
            method: 'POST',
            ...json(both),
          })
        ).status,
      ).toBe(204);
      const after = (await (
        await fetch(`${lb.baseUrl}/api/notifications?unacknowledged=true`, json(both))
      ).json()) as { body: string }[];
      expect(after.filter((n) => n.body.includes('trauma call'))).toEqual([]);

      const trail = (await (
        await fetch(`${lb.baseUrl}/api/audit-events?user=er-doctor&studyUid=${study}`, json(lb.authorization))
      ).json()) as {
        detail: string;
      }[];
      expect(trail.length).toBeGreaterThan(0);
      expect(trail.every((e) => e.detail.includes('[emergency access: unconscious patient in the ER'))).toBe(
        true,
      );
      const alerts = (await (
        await fetch(`${lb.baseUrl}/api/audit-events?user=er-doctor&eventId=110113`, json(officer))
      ).json()) as {
        eventType: string;
      }[];
      expect(alerts.map((a) => a.eventType)).toContain('110127');

      expect(
        (await fetch(`${lb.baseUrl}/api/emergency-access`, { method: 'DELETE', ...json(doctor) })).status,
      ).toBe(204);
      expect(await studies()).toEqual([]);
      expect((await fetch(`${lb.baseUrl}/api/emergency-access`, json(doctor))).status).toBe(404);
    });

    it('lets an administrator end the emergency access of another user', async () => {
      const started = await fetch(`${lb.baseUrl}/api/emergency-access`, {
        method: 'POST',
        ...json(doctor, { reason: 'second emergency, no referral on file' }),
      });
      expect(started.status).toBe(201);
      expect((await studies()).length).toBe(1);
      // Not the security officer's to do (no admin permission), and only where one is in force.
      expect(
        (
          await fetch(`${lb.baseUrl}/api/users/er-doctor/emergency-access`, {
            method: 'DELETE',
            ...json(officer),
          })
        ).status,
      ).toBe(403);
      const ended = await fetch(`${lb.baseUrl}/api/users/er-doctor/emergency-access`, {
        method: 'DELETE',
        ...json(lb.authorization),
      });
      expect(ended.status).toBe(204);
      expect(await studies()).toEqual([]);
      expect(
        (
          await fetch(`${lb.baseUrl}/api/users/er-doctor/emergency-access`, {
            method: 'DELETE',
            ...json(lb.authorization),
          })
        ).status,
      ).toBe(404);
      const alerts = (await (
        await fetch(`${lb.baseUrl}/api/audit-events?user=admin&eventId=110113`, json(lb.authorization))
      ).json()) as {
        detail: string;
      }[];
      expect(alerts.some((a) => a.detail === 'emergency access of er-doctor ended by admin')).toBe(true);
    });
  });
}
