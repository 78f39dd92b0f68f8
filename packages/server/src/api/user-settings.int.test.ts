import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { basicAuth, createUser, TEST_USER_PASSWORD } from '../test-support/test-users.js';

type Json = Record<string, unknown>;

const DEFAULTS = {
  studyList: {
    defaultDateRange: 'any',
    defaultModalities: [],
    pageSize: 50,
    sort: { column: 'StudyDate', direction: 'desc' },
  },
  viewer: { windowPresets: {}, hangingProtocols: [] },
  display: { dateFormat: 'iso' },
};

/** A radiologist's own MR brain protocol: 2 × 2, T1, T2, FLAIR and DWI by series description. */
const MR_BRAIN = {
  name: 'MR brain 2×2',
  modalities: ['MR'],
  bodyParts: ['brain', 'head'],
  needsPrior: false,
  layout: { rows: 2, columns: 2 },
  viewports: [
    { study: 'current', modality: ['MR'], description: ['T1'] },
    { study: 'current', modality: ['MR'], description: ['T2'] },
    { study: 'current', modality: ['MR'], description: ['FLAIR'] },
    { study: 'current', modality: ['MR'], description: ['DWI', 'diffusion weighted'] },
  ],
};

/** And a CT chest with its prior: current axial left, prior axial right. */
const CT_CHEST_PRIOR = {
  name: 'CT chest with prior',
  modalities: ['CT'],
  bodyParts: ['chest', 'thorax'],
  needsPrior: true,
  layout: { rows: 1, columns: 2 },
  viewports: [
    { study: 'current', plane: 'axial' },
    { study: 'prior', modality: ['CT'], plane: 'axial' },
  ],
};

/** A complete v1 document, every value different from the defaults. */
const READING_ROOM = {
  studyList: {
    defaultDateRange: 'today',
    defaultModalities: ['CT', 'MR'],
    pageSize: 100,
    sort: { column: 'PatientName', direction: 'asc' },
  },
  viewer: {
    windowPresets: {
      CT: [
        { name: 'Temporal bone', center: 700, width: 4000 },
        { name: 'Subdural', center: 75, width: 215 },
      ],
      PT: [{ name: 'SUV 0–10', center: 5, width: 10 }],
    },
    hangingProtocols: [MR_BRAIN, CT_CHEST_PRIOR],
  },
  display: { dateFormat: 'locale' },
};

for (const dialect of DIALECTS) {
  describe(`a user's own settings on ${dialect} (issue #5 §1)`, () => {
    let lb: TestLightbox;
    const settings = (authorization: string, init: { method?: string; body?: unknown; raw?: string } = {}) =>
      fetch(`${lb.baseUrl}/api/me/settings`, {
        method: init.method ?? 'GET',
        headers: {
          authorization,
          ...(init.body !== undefined || init.raw !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        ...(init.raw !== undefined ? { body: init.raw } : {}),
      });
    const put = (authorization: string, body: unknown) => settings(authorization, { method: 'PUT', body });

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      await createUser(lb, 'reader', { roles: ['radiologist'] });
      await createUser(lb, 'tech', { roles: ['technologist'] });
      await createUser(lb, 'officer', { roles: ['security-officer'] });
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('answers the defaults to a user who never saved any', async () => {
      const response = await settings(basicAuth('officer'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toEqual(DEFAULTS);
    });

    it('keeps a saved document and answers it on the next read, through a browser session too', async () => {
      const saved = await put(basicAuth('reader'), READING_ROOM);
      expect(saved.status).toBe(200);
      expect(await saved.json()).toEqual(READING_ROOM);
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(READING_ROOM);

      // Another workstation: a browser session of the same user reads the same settings.
      const login = await fetch(`${lb.baseUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'reader', password: TEST_USER_PASSWORD }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const read = await fetch(`${lb.baseUrl}/api/me/settings`, { headers: { cookie } });
      expect(await read.json()).toEqual(READING_ROOM);
      // Saving from the browser needs the session's CSRF token, like every unsafe request.
      const changed = { ...READING_ROOM, display: { dateFormat: 'iso' } };
      const request = (headers: Record<string, string>) =>
        fetch(`${lb.baseUrl}/api/me/settings`, {
          method: 'PUT',
          headers: { cookie, 'content-type': 'application/json', ...headers },
          body: JSON.stringify(changed),
        });
      expect((await request({})).status).toBe(403);
      expect((await request({ 'x-csrf-token': csrfToken })).status).toBe(200);
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(changed);
    });

    it('changes only what a merge patch names, on what is stored at that moment (RFC 7396)', async () => {
      await createUser(lb, 'patcher', { roles: ['radiologist'] });
      const patch = (body: unknown, contentType = 'application/merge-patch+json') =>
        fetch(`${lb.baseUrl}/api/me/settings`, {
          method: 'PATCH',
          headers: { authorization: basicAuth('patcher'), 'content-type': contentType },
          body: JSON.stringify(body),
        });
      expect((await put(basicAuth('patcher'), READING_ROOM)).status).toBe(200);
      const sorted = await patch({ studyList: { sort: { column: 'AccessionNumber', direction: 'desc' } } });
      expect(sorted.status).toBe(200);
      const expected = {
        ...READING_ROOM,
        studyList: { ...READING_ROOM.studyList, sort: { column: 'AccessionNumber', direction: 'desc' } },
      };
      expect(await sorted.json()).toEqual(expected);
      // null takes a setting back to its default; plain JSON is taken as a patch too.
      const reset = await patch({ display: { dateFormat: null } }, 'application/json');
      expect(reset.status).toBe(200);
      expect(((await reset.json()) as { display: unknown }).display).toEqual({ dateFormat: 'iso' });
      // A patch whose result is not valid changes nothing.
      const before = await (await settings(basicAuth('patcher'))).json();
      for (const bad of [
        { studyList: { sort: { column: 'Nonsense', direction: 'asc' } } },
        { colour: 'red' },
        [1],
      ]) {
        const refused = await patch(bad);
        expect(refused.status, JSON.stringify(bad)).toBe(400);
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
      }
      expect(await (await settings(basicAuth('patcher'))).json()).toEqual(before);

      // null removes one modality's window presets and keeps the others.
      const withoutPt = await patch({ viewer: { windowPresets: { PT: null } } });
      expect(withoutPt.status).toBe(200);
      expect(Object.keys(((await withoutPt.json()) as typeof READING_ROOM).viewer.windowPresets)).toEqual([
        'CT',
      ]);
      expect(
        (await patch({ viewer: { windowPresets: { PT: READING_ROOM.viewer.windowPresets.PT } } })).status,
      ).toBe(200);
      // A body with a __proto__ key, or nested deeper than any setting, is refused.
      const proto = await fetch(`${lb.baseUrl}/api/me/settings`, {
        method: 'PATCH',
        headers: { authorization: basicAuth('patcher'), 'content-type': 'application/merge-patch+json' },
        body: '{"__proto__":{"studyList":{"pageSize":25}}}',
      });
      expect(proto.status).toBe(400);
      const tooDeep = await fetch(`${lb.baseUrl}/api/me/settings`, {
        method: 'PATCH',
        headers: { authorization: basicAuth('patcher'), 'content-type': 'application/merge-patch+json' },
        body: `{"studyList":${'{"a":'.repeat(10_000)}"x"${'}'.repeat(10_001)}`,
      });
      expect(tooDeep.status).toBe(400);
      expect(await (await settings(basicAuth('patcher'))).json()).toEqual(before);

      // Two screens saving different settings at the same time: both changes last.
      for (let round = 0; round < 5; round++) {
        const direction = round % 2 === 0 ? 'asc' : 'desc';
        const format = round % 2 === 0 ? 'locale' : 'iso';
        const answers = await Promise.all([
          patch({ studyList: { sort: { column: 'PatientName', direction } } }),
          patch({ display: { dateFormat: format } }),
          patch({ studyList: { pageSize: round % 2 === 0 ? 25 : 100 } }),
        ]);
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
        const now = (await (await settings(basicAuth('patcher'))).json()) as typeof READING_ROOM;
        expect(now.studyList.sort).toEqual({ column: 'PatientName', direction });
        expect(now.display.dateFormat).toBe(format);
        expect(now.studyList.pageSize).toBe(round % 2 === 0 ? 25 : 100);
        expect(now.viewer).toEqual(READING_ROOM.viewer);
      }
    });

    it('patches a document stored by a later version: what this one cannot read is left out', async () => {
      await createUser(lb, 'future', { roles: ['radiologist'] });
      const { db } = lb.running.services.database;
      const { pk } = await db
        .selectFrom('app_user')
        .select('pk')
        .where('username', '=', 'future')
        .executeTakeFirstOrThrow();
      const stored = {
        studyList: { pageSize: 100, sort: { column: 'ColumnOfTomorrow', direction: 'asc' } },
        display: { dateFormat: 'locale', timeFormat: '24h' },
      };
      await db
        .insertInto('user_settings')
        .values({ user_pk: Number(pk), settings: JSON.stringify(stored), updated_at: Date.now() })
        .execute();
      const patched = await fetch(`${lb.baseUrl}/api/me/settings`, {
        method: 'PATCH',
        headers: { authorization: basicAuth('future'), 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ studyList: { sort: { column: 'PatientName', direction: 'asc' } } }),
      });
      expect(patched.status).toBe(200);
      expect(await patched.json()).toEqual({
        ...DEFAULTS,
        studyList: {
          ...DEFAULTS.studyList,
          pageSize: 100,
          sort: { column: 'PatientName', direction: 'asc' },
        },
        display: { dateFormat: 'locale' },
      });
    });

    it('replaces the whole document: what a save leaves out is the default again', async () => {
      await put(basicAuth('tech'), READING_ROOM);
      const partial = await put(basicAuth('tech'), { studyList: { pageSize: 25 } });
      expect(partial.status).toBe(200);
      const expected = { ...DEFAULTS, studyList: { ...DEFAULTS.studyList, pageSize: 25 } };
      expect(await partial.json()).toEqual(expected);
      expect(await (await settings(basicAuth('tech'))).json()).toEqual(expected);
      expect((await put(basicAuth('tech'), {})).status).toBe(200);
      expect(await (await settings(basicAuth('tech'))).json()).toEqual(DEFAULTS);
    });

    it("keeps each user's settings apart: one user's save changes nobody else's", async () => {
      await createUser(lb, 'other-reader', { roles: ['radiologist'] });
      await put(basicAuth('other-reader'), { display: { dateFormat: 'locale' } });
      await put(basicAuth('reader'), READING_ROOM);
      expect(await (await settings(basicAuth('other-reader'))).json()).toEqual({
        ...DEFAULTS,
        display: { dateFormat: 'locale' },
      });
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(READING_ROOM);
      // Nor does an administrator's: their own settings are theirs too.
      expect(await (await settings(lb.authorization)).json()).toEqual(DEFAULTS);
    });

    it('refuses a document that is not v1 settings with 400 problem+json, and keeps what was saved', async () => {
      const presets = (list: unknown) => ({ viewer: { windowPresets: { CT: list } } });
      const sortedBy = (sort: unknown) => ({ studyList: { sort } });
      const preset = { name: 'Lung', center: -600, width: 1500 };
      const bad: [string, unknown][] = [
        ['an array', []],
        ['a key of a later version', { ...READING_ROOM, reportTemplates: [] }],
        ['an unknown key in a section', { studyList: { defaultDateRange: 'today', sortOrder: 'name' } }],
        ['an unknown date range', { studyList: { defaultDateRange: 'yesterday' } }],
        ['a page size not offered', { studyList: { pageSize: 40 } }],
        ['a page size as text', { studyList: { pageSize: '50' } }],
        ['a modality that is no code', { studyList: { defaultModalities: ['ct scan'] } }],
        ['a modality twice', { studyList: { defaultModalities: ['CT', 'CT'] } }],
        [
          'a sort by a column the list does not show',
          sortedBy({ column: 'InstitutionName', direction: 'asc' }),
        ],
        ['a sort by a column in other words', sortedBy({ column: 'patientName', direction: 'asc' })],
        ['a sort direction spelt out', sortedBy({ column: 'PatientName', direction: 'ascending' })],
        ['a sort direction in capitals', sortedBy({ column: 'PatientName', direction: 'DESC' })],
        ['a sort without a direction', sortedBy({ column: 'PatientName' })],
        ['a sort without a column', sortedBy({ direction: 'asc' })],
        [
          'a sort with a key of its own',
          sortedBy({ column: 'StudyDate', direction: 'asc', then: 'PatientID' }),
        ],
        ['a sort as text', sortedBy('-StudyDate')],
        ['an unknown date format', { display: { dateFormat: 'us' } }],
        ['presets of no modality code', { viewer: { windowPresets: { 'c t': [preset] } } }],
        ['a width of 0', presets([{ ...preset, width: 0 }])],
        ['a negative width', presets([{ ...preset, width: -10 }])],
        ['a name of 33 characters', presets([{ ...preset, name: 'x'.repeat(33) }])],
        ['a blank name', presets([{ ...preset, name: '  ' }])],
        ['a preset without a centre', presets([{ name: 'Lung', width: 1500 }])],
        ['a preset with a key of its own', presets([{ ...preset, key: '8' }])],
        ['21 presets', presets(Array.from({ length: 21 }, (_, n) => ({ ...preset, name: `W${n}` })))],
        ['two presets of the same name', presets([preset, { ...preset, name: 'lung', center: -500 }])],
      ];
      for (const [what, body] of bad) {
        const response = await put(basicAuth('reader'), body);
        expect(response.status, what).toBe(400);
        expect(response.headers.get('content-type'), what).toContain('application/problem+json');
        expect(((await response.json()) as Json).detail, what).toEqual(expect.any(String));
      }
      for (const raw of ['not json', '']) {
        const response = await settings(basicAuth('reader'), { method: 'PUT', raw });
        expect(response.status, raw).toBe(400);
      }
      // 20 presets of a modality are allowed, the bounds are not off by one.
      const twenty = presets(Array.from({ length: 20 }, (_, n) => ({ ...preset, name: `W${n}` })));
      expect((await put(basicAuth('tech'), twenty)).status).toBe(200);
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(READING_ROOM);
    });

    it("keeps the user's hanging protocols in their order, and refuses any the viewer could not use", async () => {
      await createUser(lb, 'neuro', { roles: ['radiologist'] });
      const withProtocols = (list: unknown) => ({ viewer: { hangingProtocols: list } });
      const saved = await put(basicAuth('neuro'), withProtocols([CT_CHEST_PRIOR, MR_BRAIN]));
      expect(saved.status).toBe(200);
      const expected = {
        ...DEFAULTS,
        viewer: { windowPresets: {}, hangingProtocols: [CT_CHEST_PRIOR, MR_BRAIN] },
      };
      expect(await saved.json()).toEqual(expected);
      expect(await (await settings(basicAuth('neuro'))).json()).toEqual(expected);

      // The bounds, not off by one: 50 protocols, a 3 × 3 layout with nine rules, 16 words of 64 characters.
      const single = { ...MR_BRAIN, layout: { rows: 1, columns: 1 }, viewports: [{ study: 'current' }] };
      const fifty = Array.from({ length: 50 }, (_, n) => ({ ...single, name: `Protocol ${n}` }));
      const nine = Array.from({ length: 9 }, () => ({ study: 'current', plane: 'axial' }));
      const sixteenWords = Array.from({ length: 16 }, (_, n) => `${n}`.padEnd(64, 'w'));
      for (const [what, list] of [
        ['50 protocols', fifty],
        ['a 3 × 3 layout', [{ ...MR_BRAIN, layout: { rows: 3, columns: 3 }, viewports: nine }]],
        ['16 words of 64 characters', [{ ...single, bodyParts: sixteenWords }]],
        ['a name of 64 characters', [{ ...single, name: 'x'.repeat(64) }]],
        ['any study, any body part', [{ ...single, modalities: [], bodyParts: [] }]],
        [
          'every plane',
          (['axial', 'sagittal', 'coronal', 'oblique'] as const).map((plane) => ({
            ...single,
            name: plane,
            viewports: [{ study: 'current', plane }],
          })),
        ],
      ] as const) {
        expect((await put(basicAuth('neuro'), withProtocols(list))).status, what).toBe(200);
      }

      const rule = (changes: Json) => [
        {
          ...MR_BRAIN,
          viewports: [
            { study: 'current' },
            { study: 'current' },
            { study: 'current' },
            { study: 'current', ...changes },
          ],
        },
      ];
      const protocol = (changes: Json) => [{ ...MR_BRAIN, ...changes }];
      const bad: [string, unknown][] = [
        ['not a list', withProtocols(MR_BRAIN)],
        ['51 protocols', withProtocols([...fifty, { ...single, name: 'One more' }])],
        ['a protocol without a name', withProtocols(protocol({ name: undefined }))],
        ['a blank name', withProtocols(protocol({ name: '   ' }))],
        ['a name of 65 characters', withProtocols(protocol({ name: 'x'.repeat(65) }))],
        [
          'two protocols of the same name',
          withProtocols([MR_BRAIN, { ...CT_CHEST_PRIOR, name: 'mr BRAIN 2×2' }]),
        ],
        ['a protocol with a key of its own', withProtocols(protocol({ priority: 1 }))],
        ['a modality that is no code', withProtocols(protocol({ modalities: ['mr'] }))],
        ['a modality twice', withProtocols(protocol({ modalities: ['MR', 'MR'] }))],
        [
          '17 modalities',
          withProtocols(protocol({ modalities: Array.from({ length: 17 }, (_, n) => `M${n}`) })),
        ],
        ['a body part word of 65 characters', withProtocols(protocol({ bodyParts: ['x'.repeat(65)] }))],
        ['a body part word with blanks around it', withProtocols(protocol({ bodyParts: [' brain'] }))],
        ['a blank body part word', withProtocols(protocol({ bodyParts: [''] }))],
        ['17 body part words', withProtocols(protocol({ bodyParts: sixteenWords.concat('brain') }))],
        ['needs a prior as text', withProtocols(protocol({ needsPrior: 'true' }))],
        ['no layout', withProtocols(protocol({ layout: undefined }))],
        ['a layout as a tuple', withProtocols(protocol({ layout: [2, 2] }))],
        ['4 rows', withProtocols(protocol({ layout: { rows: 4, columns: 1 } }))],
        ['0 columns', withProtocols(protocol({ layout: { rows: 1, columns: 0 } }))],
        ['1.5 rows', withProtocols(protocol({ layout: { rows: 1.5, columns: 2 } }))],
        ['rows as text', withProtocols(protocol({ layout: { rows: '2', columns: 2 } }))],
        [
          'fewer rules than viewports',
          withProtocols(protocol({ viewports: MR_BRAIN.viewports.slice(0, 3) })),
        ],
        ['more rules than viewports', withProtocols(protocol({ layout: { rows: 1, columns: 2 } }))],
        ['no rules', withProtocols(protocol({ layout: { rows: 1, columns: 1 }, viewports: [] }))],
        ['a rule of no study', withProtocols(rule({ study: undefined }))],
        ['a rule of the next study', withProtocols(rule({ study: 'next' }))],
        ['a rule of an empty modality list', withProtocols(rule({ modality: [] }))],
        ['a rule of an empty description list', withProtocols(rule({ description: [] }))],
        ['a rule of an unknown plane', withProtocols(rule({ plane: 'transverse' }))],
        ['a rule with a key of its own', withProtocols(rule({ seriesNumber: 3 }))],
        ['a rule as text', withProtocols([{ ...MR_BRAIN, viewports: ['T1', 'T2', 'FLAIR', 'DWI'] }])],
        ['protocols outside the viewer', { hangingProtocols: [MR_BRAIN] }],
      ];
      for (const [what, body] of bad) {
        const response = await put(basicAuth('neuro'), body);
        expect(response.status, what).toBe(400);
        expect(response.headers.get('content-type'), what).toContain('application/problem+json');
        expect(((await response.json()) as Json).detail, what).toEqual(expect.any(String));
      }
      // The reason names what is wrong, for the Settings page to show.
      const mismatch = await put(
        basicAuth('neuro'),
        withProtocols(protocol({ viewports: MR_BRAIN.viewports.slice(0, 3) })),
      );
      expect(((await mismatch.json()) as Json).detail).toContain('3 viewport rules for a layout of 2 × 2');
      const twice = await put(basicAuth('neuro'), withProtocols([MR_BRAIN, MR_BRAIN]));
      expect(((await twice.json()) as Json).detail).toContain('two hanging protocols are named MR brain 2×2');
      // Nothing refused was stored.
      expect(
        ((await (await settings(basicAuth('neuro'))).json()) as typeof expected).viewer.hangingProtocols,
      ).toHaveLength(4);

      // Settings stored before there were protocols of one's own read as none, and save again as they are.
      const { db } = lb.running.services.database;
      const user = await db
        .selectFrom('app_user')
        .select('pk')
        .where('username', '=', 'neuro')
        .executeTakeFirstOrThrow();
      const before = { viewer: { windowPresets: { CT: [{ name: 'Subdural', center: 75, width: 215 }] } } };
      await db
        .updateTable('user_settings')
        .set({ settings: JSON.stringify(before) })
        .where('user_pk', '=', user.pk)
        .execute();
      const read = await (await settings(basicAuth('neuro'))).json();
      expect(read).toEqual({ ...DEFAULTS, viewer: { ...before.viewer, hangingProtocols: [] } });
      expect((await put(basicAuth('neuro'), read)).status).toBe(200);
    });

    it("keeps the study list's order: every column it sorts by, either way", async () => {
      await createUser(lb, 'sorter', { roles: ['radiologist'] });
      const columns = [
        'PatientName',
        'PatientID',
        'PatientBirthDate',
        'StudyDate',
        'ModalitiesInStudy',
        'StudyDescription',
        'AccessionNumber',
        'ReferringPhysicianName',
        'NumberOfStudyRelatedInstances',
      ];
      for (const column of columns) {
        for (const direction of ['asc', 'desc']) {
          const sort = { column, direction };
          const saved = await put(basicAuth('sorter'), {
            ...READING_ROOM,
            studyList: { ...READING_ROOM.studyList, sort },
          });
          expect(saved.status, `${column} ${direction}`).toBe(200);
          expect(((await saved.json()) as typeof DEFAULTS).studyList.sort).toEqual(sort);
        }
      }
      const read = (await (await settings(basicAuth('sorter'))).json()) as typeof DEFAULTS;
      expect(read.studyList.sort).toEqual({ column: 'NumberOfStudyRelatedInstances', direction: 'desc' });
      // The rest of the document is kept with it.
      expect(read).toEqual({
        ...READING_ROOM,
        studyList: { ...READING_ROOM.studyList, sort: read.studyList.sort },
      });
    });

    it('reads stored settings without an order, or with one unknown here, as newest first', async () => {
      await createUser(lb, 'veteran', { roles: ['radiologist'] });
      const { db } = lb.running.services.database;
      const user = await db
        .selectFrom('app_user')
        .select('pk')
        .where('username', '=', 'veteran')
        .executeTakeFirstOrThrow();
      const store = (document: unknown) =>
        db
          .insertInto('user_settings')
          .values({ user_pk: user.pk, settings: JSON.stringify(document), updated_at: Date.now() })
          .onConflict((oc) => oc.column('user_pk').doUpdateSet({ settings: JSON.stringify(document) }))
          .execute();
      // As saved by the version before: the study list's three keys, no order.
      const before = {
        studyList: { defaultDateRange: 'last-7-days', defaultModalities: ['MR'], pageSize: 25 },
      };
      await store(before);
      const read = await settings(basicAuth('veteran'));
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual({
        ...DEFAULTS,
        studyList: { ...before.studyList, sort: DEFAULTS.studyList.sort },
      });
      // Saved again as read, it is v1 settings like any other.
      expect(
        (await put(basicAuth('veteran'), await (await settings(basicAuth('veteran'))).json())).status,
      ).toBe(200);
      // A later version's column, or a direction it does not know: the list opens newest first.
      for (const sort of [
        { column: 'InstitutionName', direction: 'asc' },
        { column: 'PatientName', direction: 'nearest' },
        'PatientName',
      ]) {
        await store({ studyList: { pageSize: 100, sort } });
        const answer = (await (await settings(basicAuth('veteran'))).json()) as typeof DEFAULTS;
        expect(answer.studyList, JSON.stringify(sort)).toEqual({ ...DEFAULTS.studyList, pageSize: 100 });
      }
    });

    it('answers 401 without credentials, and 403 to a token without the self permission', async () => {
      const anonymous = await fetch(`${lb.baseUrl}/api/me/settings`);
      expect(anonymous.status).toBe(401);
      const anonymousPut = await fetch(`${lb.baseUrl}/api/me/settings`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(READING_ROOM),
      });
      expect(anonymousPut.status).toBe(401);
      expect(anonymousPut.headers.get('content-type')).toContain('application/problem+json');
      const issued = await fetch(`${lb.baseUrl}/api/me/tokens`, {
        method: 'POST',
        headers: { authorization: basicAuth('reader'), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'reads studies', permissions: ['study:read'] }),
      });
      const { token } = (await issued.json()) as { token: string };
      expect((await settings(`Bearer ${token}`)).status).toBe(403);
      expect((await put(`Bearer ${token}`, {})).status).toBe(403);
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(READING_ROOM);
    });
  });
}
