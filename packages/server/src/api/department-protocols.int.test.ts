import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { basicAuth, createUser } from '../test-support/test-users.js';

type Json = Record<string, unknown>;

/** The department's CT chest: axial beside coronal. */
const CT_CHEST = {
  name: 'CT chest axial + coronal',
  modalities: ['CT'],
  bodyParts: ['chest', 'thorax'],
  needsPrior: false,
  layout: { rows: 1, columns: 2 },
  viewports: [
    { study: 'current', modality: ['CT'], plane: 'axial' },
    { study: 'current', modality: ['CT'], plane: 'coronal' },
  ],
};

/** And its MR brain: T1, T2, FLAIR and DWI, 2 × 2. */
const MR_BRAIN = {
  name: 'MR brain sequences',
  modalities: ['MR'],
  bodyParts: ['brain', 'head'],
  needsPrior: false,
  layout: { rows: 2, columns: 2 },
  viewports: [
    { study: 'current', description: ['T1'] },
    { study: 'current', description: ['T2'] },
    { study: 'current', description: ['FLAIR'] },
    { study: 'current', description: ['DWI', 'diffusion'] },
  ],
};

for (const dialect of DIALECTS) {
  describe(`the department's hanging protocols on ${dialect}`, () => {
    let lb: TestLightbox;
    let reader: string;
    const call = (
      authorization: string,
      init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
    ) =>
      fetch(`${lb.baseUrl}/api/hanging-protocols`, {
        method: init.method ?? 'GET',
        headers: {
          authorization,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    const put = (authorization: string, body: unknown, ifMatch?: string) =>
      call(authorization, {
        method: 'PUT',
        body,
        ...(ifMatch !== undefined ? { headers: { 'if-match': ifMatch } } : {}),
      });
    const stored = async () => {
      const response = await call(reader);
      return { etag: response.headers.get('etag'), protocols: (await response.json()) as unknown };
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      reader = await createUser(lb, 'chest-reader', { roles: ['radiologist'] });
      await createUser(lb, 'officer', { roles: ['security-officer'] });
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('are none until the administrator saves some, which every radiologist then reads', async () => {
      expect(await stored()).toEqual({ etag: '"0"', protocols: [] });

      const saved = await put(lb.authorization, [CT_CHEST, MR_BRAIN], '"0"');
      expect(saved.status).toBe(200);
      expect(saved.headers.get('etag')).toBe('"1"');
      expect(await saved.json()).toEqual([CT_CHEST, MR_BRAIN]);
      expect(await stored()).toEqual({ etag: '"1"', protocols: [CT_CHEST, MR_BRAIN] });

      // The list is replaced whole, in the order given (the order they are tried in).
      const reordered = await put(lb.authorization, [MR_BRAIN, CT_CHEST], '"1"');
      expect(reordered.status).toBe(200);
      expect(await stored()).toEqual({ etag: '"2"', protocols: [MR_BRAIN, CT_CHEST] });
    });

    it("are the administrator's to change: a radiologist's PUT is 403, and users without the viewer do not read them", async () => {
      const before = await stored();
      const refused = await put(reader, [CT_CHEST]);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await stored()).toEqual(before);
      expect((await call(basicAuth('officer'))).status).toBe(403);
      expect((await call('Basic bm9ib2R5Om5vdGhpbmc=')).status).toBe(401);
    });

    it('refuses an invalid list with 400 saying what is wrong, and keeps what was saved', async () => {
      const before = await stored();
      const refusal = async (body: unknown) => {
        const response = await put(lb.authorization, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        return ((await response.json()) as Json).detail;
      };
      // Unknown keys are refused, not dropped, and named.
      expect(await refusal([{ ...CT_CHEST, priority: 1 }])).toBe(
        'the hanging protocols are not valid: /0/priority must NOT have additional properties',
      );
      expect(
        await refusal([CT_CHEST, { ...MR_BRAIN, viewports: [{ study: 'current', series: 3 }] }]),
      ).toContain('/1/viewports/0/series must NOT have additional properties');
      // Values of the wrong type are refused, not coerced.
      expect(await refusal([{ ...CT_CHEST, layout: { rows: '1', columns: 2 } }])).toContain(
        '/0/layout/rows must be integer',
      );
      expect(await refusal([{ ...CT_CHEST, modalities: ['ct'] }])).toContain('/0/modalities/0 must match');
      // What the schema cannot say: one rule per viewport, and one protocol of each name.
      expect(await refusal([{ ...MR_BRAIN, viewports: MR_BRAIN.viewports.slice(0, 3) }])).toContain(
        'has 3 viewport rules for a layout of 2 × 2',
      );
      expect(await refusal([CT_CHEST, { ...CT_CHEST, name: 'ct chest AXIAL + coronal' }])).toContain(
        'two hanging protocols are named',
      );
      // The list itself, not a settings document or a single protocol.
      expect(await refusal({ hangingProtocols: [CT_CHEST] })).toContain('must be array');
      expect(await refusal(CT_CHEST)).toContain('must be array');
      expect(
        await refusal(Array.from({ length: 51 }, (_, n) => ({ ...CT_CHEST, name: `CT ${n}` }))),
      ).toContain('must NOT have more than 50 items');
      expect(await stored()).toEqual(before);
    });

    it('keeps an administrator from saving over a change made since they read the list (If-Match)', async () => {
      const { etag } = await stored();
      const first = await put(lb.authorization, [CT_CHEST], etag!);
      expect(first.status).toBe(200);
      const next = first.headers.get('etag');
      // A second administrator, who read the list before the first saved, is told to read it again.
      const stale = await put(lb.authorization, [MR_BRAIN], etag!);
      expect(stale.status).toBe(412);
      expect(((await stale.json()) as Json).detail).toMatch(/changed since version \d+ was read/);
      expect(await stored()).toEqual({ etag: next, protocols: [CT_CHEST] });
      expect((await put(lb.authorization, [MR_BRAIN], 'W/"1"')).status).toBe(412);
      // Without If-Match (or with *) the last writer wins.
      const blind = await put(lb.authorization, [MR_BRAIN], '*');
      expect(blind.status).toBe(200);
      expect((await put(lb.authorization, [CT_CHEST, MR_BRAIN])).status).toBe(200);
      expect((await stored()).protocols).toEqual([CT_CHEST, MR_BRAIN]);
    });

    it('records each change in the audit trail as a configuration change, and each refused one as an alert', async () => {
      await lb.running.services.audit.flush();
      const events = (await (
        await fetch(`${lb.baseUrl}/api/audit-events?eventId=110113&limit=1000`, {
          headers: { authorization: lb.authorization },
        })
      ).json()) as Array<{ eventType: string; outcome: string; detail: string; username: string | null }>;
      const about = events.filter((e) => e.detail.includes('PUT /api/hanging-protocols'));
      // Software Configuration, once per list saved (two by the first test, three by the If-Match one);
      // lists refused as invalid or stale changed nothing and are not.
      const changes = about.filter((e) => e.eventType === '110131');
      expect(changes.map((e) => [e.username, e.outcome])).toEqual(Array(5).fill(['admin', 'success']));
      // The radiologist's attempt is an Authorization Decision refused.
      const refusals = about.filter((e) => e.eventType !== '110131');
      expect(refusals.map((e) => [e.username, e.outcome])).toEqual([['chest-reader', 'failure']]);
    });
  });
}
