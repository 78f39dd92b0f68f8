import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAuditTrail } from '../../security/audit/audit-search.js';
import { upgradedDatabase } from '../../test-support/database-at-migration.js';
import { DIALECTS } from '../../test-support/test-databases.js';
import type { Database } from '../open-database.js';

/** An audit event row as an older Lightbox wrote it (the hash is not checked here). */
function oldEvent(seq: number, eventId: string, detail: string | null) {
  return {
    seq,
    occurred_at: 1_700_000_000_000 + seq,
    event_id: eventId,
    event_type: null,
    action: 'R',
    outcome: 'success',
    username: 'admin',
    roles: '["admin"]',
    protocol: 'dimse',
    address: '127.0.0.1',
    ae_title: 'ASKER',
    patient_ids: '[]',
    study_uids: '[]',
    detail,
    hash: 'x',
  };
}

for (const dialect of DIALECTS) {
  describe(`migration 0014-audit-ae-participants on ${dialect}`, () => {
    let database: Database;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ database, close } = await upgradedDatabase(dialect, '0014-audit-ae-participants', async (old) => {
        await old
          .insertInto('audit_event')
          .values([
            oldEvent(1, '110104', 'from "LIGHTBOX" (10.0.0.2) to "PACS 2" (10.0.0.7): 3 instances'),
            oldEvent(2, '110104', 'from "LIGHTBOX" to "LIGHTBOX": 1 instance'),
            oldEvent(3, '110104', '3 instances'), // a DICOMweb retrieve names no AEs
            oldEvent(4, '110112', 'from "X" to "Y": not a transfer'),
          ])
          .execute();
      }));
    });
    afterAll(async () => {
      await close?.();
    });

    it('indexes the AEs that transfers recorded before named, once each, and finds the events by them', async () => {
      const rows = await database.db
        .selectFrom('audit_participant')
        .select(['event_seq', 'value'])
        .where('kind', '=', 'ae')
        .orderBy('event_seq')
        .orderBy('value')
        .execute();
      expect(rows.map((r) => [Number(r.event_seq), r.value])).toEqual([
        [1, 'LIGHTBOX'],
        [1, 'PACS 2'],
        [2, 'LIGHTBOX'],
      ]);
      const search = async (node: string) =>
        (await searchAuditTrail(database.db, { node, limit: 10, offset: 0 })).map((e) => e.seq);
      expect(await search('PACS 2')).toEqual([1]);
      expect(await search('ASKER')).toEqual([4, 3, 2, 1]); // the requesting AE of every event
      expect(await search('Y')).toEqual([]);
    });
  });
}
