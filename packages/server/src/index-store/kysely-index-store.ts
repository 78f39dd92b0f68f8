import { Tag } from '@lightbox/dicom';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DuplicatePolicyValue } from '../config/config.js';
import type { Database } from '../db/open-database.js';
import type { SqlDialect } from '../db/sql-dialect.js';
import type { Tables } from '../db/tables.js';
import type {
  InstanceMetadata,
  InstancesWithMetadata,
  CommitOutcome,
  IndexStore,
  InstanceSelector,
  QueryMatch,
  StoredInstance,
  StoredObject,
} from '../archive/index-store.js';
import type { FrameIndex } from '../archive/frame-index.js';
import type { InstanceRecord } from '../archive/instance-record.js';
import { insertNameKeys } from './person-name-keys.js';
import { instanceRow, patientRow, seriesRow, studyRow } from './instance-record-rows.js';
import { attributeValueKeys, insertAttributeValues } from './attribute-values.js';
import type { ArchiveQuery } from '../archive/query/archive-query.js';
import type { AccessScope } from '../security/access-scope.js';
import { accessScopeCondition } from './access-scope-condition.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { containsText } from './sql-text.js';
import { runArchiveQuery } from './run-archive-query.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { UnitOfWork } from '../db/group-commit.js';

type Tx = Transaction<Tables>;

/** What the index holds already for an instance being committed (see KyselyIndexStore.lookUp). */
interface KnownRows {
  /** The patient's key (the one it was merged into, if it was). */
  patient: number | undefined;
  study: { pk: number; patientPk: number } | undefined;
  series: { pk: number; studyPk: number } | undefined;
  instance:
    | { pk: number; blobKey: string; seriesPk: number; studyPk: number; studyUid: string; seriesUid: string }
    | undefined;
}

/** Set members are kept as `\A\B\`, so that a member is found by a plain substring search. */
function addToSet(
  dialect: SqlDialect,
  column: 'modalities_in_study' | 'sop_classes_in_study',
  member: string | null,
) {
  const ref = sql.ref<string>(column);
  if (member === null || member === '') return ref;
  return sql<string>`CASE WHEN ${containsText(dialect, ref, `\\${member}\\`)} THEN ${ref}
    WHEN ${ref} = '' THEN ${`\\${member}\\`} ELSE ${ref} || ${`${member}\\`} END`;
}

/** The index on Kysely: one implementation for SQLite and PostgreSQL (DESIGN §3). */
export class KyselyIndexStore implements IndexStore {
  private readonly db: Kysely<Tables>;
  private readonly dialect: SqlDialect;

  private readonly transact: UnitOfWork;

  /**
   * @param transact - how writes are committed (default: a transaction each); with {@link unitsOfWork}
   *   on SQLite, the pending rows and commits of instances arriving together share commits
   */
  constructor(database: Database, transact?: UnitOfWork) {
    this.db = database.db;
    this.dialect = database.dialect;
    this.transact = transact ?? ((task) => this.db.transaction().execute(task));
  }

  async beginWrite(blobKey: string): Promise<void> {
    const row = { blob_key: blobKey, created_at: Date.now() };
    // One statement: on PostgreSQL it commits by itself (one round trip, not BEGIN … COMMIT); on SQLite
    // it joins the commits of other writes arriving together.
    if (this.dialect === 'postgres') await this.db.insertInto('pending_blob').values(row).execute();
    else await this.transact((trx) => trx.insertInto('pending_blob').values(row).execute());
  }

  async abandonWrite(blobKey: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('pending_blob')
      .where('blob_key', '=', blobKey)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async pendingWrites(ageMs: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('pending_blob')
      .select('blob_key')
      .where('created_at', '<=', Date.now() - ageMs)
      .execute();
    return rows.map((r) => r.blob_key);
  }

  async commitInstance(record: InstanceRecord, policy: DuplicatePolicyValue): Promise<CommitOutcome> {
    // Concurrent first instances of one study (PostgreSQL, several nodes) can collide on a unique key;
    // the loser retries and then finds the winner's rows.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.transact((trx) => this.commitIn(trx, record, policy));
      } catch (error) {
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  private async commitIn(trx: Tx, r: InstanceRecord, policy: DuplicatePolicyValue): Promise<CommitOutcome> {
    const now = Date.now();
    // The pending row is claimed by deleting it, as the first write: on SQLite this takes the write lock
    // at once instead of upgrading a read lock later. It also proves the row was still there: if the
    // recovery sweep claimed it (a write that took longer than the sweep's age), the blob may already be
    // gone and the instance must not be indexed.
    const claimed = await trx
      .deleteFrom('pending_blob')
      .where('blob_key', '=', r.blob.key)
      .executeTakeFirst();
    if (Number(claimed.numDeletedRows) !== 1) {
      throw new AppError(
        ErrorCode.OutOfResources,
        'the write was abandoned by crash recovery before it completed',
      );
    }
    let known = await this.lookUp(trx, r);
    let replacedBlobKey: string | undefined;
    const existing = known.instance;
    if (existing !== undefined) {
      // The same SOP Instance UID in another study or series is not a re-send but a conflict: never
      // answer "stored" for an object that is dropped, nor move an instance silently.
      if (existing.studyUid !== r.study.uid || existing.seriesUid !== r.series.uid) {
        throw new AppError(
          ErrorCode.DataSetMismatch,
          `SOP Instance ${r.instance.sopInstanceUid} is already stored in another study or series`,
        );
      }
      if (policy === 'reject') {
        throw new AppError(
          ErrorCode.DuplicateInstance,
          `SOP Instance ${r.instance.sopInstanceUid} is already stored`,
        );
      }
      if (policy === 'keep-existing') {
        // The new blob stays recorded as pending until the caller has deleted it: a crash in between
        // leaves it to the recovery sweep instead of leaking it.
        await trx.insertInto('pending_blob').values({ blob_key: r.blob.key, created_at: now }).execute();
        return { status: 'already-stored', unreferencedBlobKey: r.blob.key };
      }
      await this.removeInstance(trx, {
        pk: existing.pk,
        series_pk: existing.seriesPk,
        study_pk: existing.studyPk,
      });
      replacedBlobKey = existing.blobKey;
      // The replaced blob becomes pending deletion in the same transaction, so it is never leaked.
      await trx.insertInto('pending_blob').values({ blob_key: replacedBlobKey, created_at: now }).execute();
      // Its series or study may have gone with it.
      known = await this.lookUp(trx, r);
    }

    let patientPk = known.patient ?? (await this.insertPatient(trx, r, now));
    if (patientPk === undefined) {
      // Another node created the patient meanwhile (its insert held ours until it committed): it may have
      // created the study and series too, so they are looked up again rather than found by a conflict.
      known = await this.lookUp(trx, r);
      patientPk = known.patient;
      if (patientPk === undefined) throw new AppError(ErrorCode.OutOfResources, 'the patient vanished');
    }
    const study = await this.upsertStudy(trx, r, known.study, patientPk, now);
    const series = await this.upsertSeries(trx, r, known.series, study.pk, now);

    await trx
      .insertInto('instance')
      .values(instanceRow(r, series.pk, study.pk, now))
      .execute();
    // The values of attributes without a column, for queries on them: one INSERT, those of the study
    // already recorded (the same values in every instance, mostly) left as they are.
    await insertAttributeValues(
      trx,
      study.pk,
      attributeValueKeys(r.instance.metadataJson, {
        study: study.created,
        series: series.created,
      }),
    );
    await trx
      .updateTable('series')
      .set({ number_of_instances: sql`number_of_instances + 1`, updated_at: now })
      .where('pk', '=', series.pk)
      .execute();
    await trx
      .updateTable('study')
      .set({
        number_of_instances: sql`number_of_instances + 1`,
        number_of_series: series.created ? sql`number_of_series + 1` : sql`number_of_series`,
        modalities_in_study: addToSet(this.dialect, 'modalities_in_study', r.series.modality),
        sop_classes_in_study: addToSet(this.dialect, 'sop_classes_in_study', r.instance.sopClassUid),
        updated_at: now,
      })
      .where('pk', '=', study.pk)
      .execute();
    return replacedBlobKey === undefined
      ? { status: 'stored' }
      : { status: 'replaced', unreferencedBlobKey: replacedBlobKey };
  }

  /**
   * What the index already holds for an instance, in one statement (each a lookup by a unique key): the
   * patient (followed to the one it was merged into), the study and series, and the instance itself with
   * the study and series it is in. Most instances join a known series, so this is the only read.
   */
  private async lookUp(trx: Tx, r: InstanceRecord): Promise<KnownRows> {
    const result = await sql<{
      patient_pk: number | null;
      merged_into_pk: number | null;
      study_pk: number | null;
      study_patient_pk: number | null;
      series_pk: number | null;
      series_study_pk: number | null;
      instance_pk: number | null;
      instance_blob_key: string | null;
      instance_series_pk: number | null;
      instance_study_pk: number | null;
      instance_study_uid: string | null;
      instance_series_uid: string | null;
    }>`SELECT p.pk AS patient_pk, p.merged_into_pk, st.pk AS study_pk, st.patient_pk AS study_patient_pk,
        se.pk AS series_pk, se.study_pk AS series_study_pk, i.pk AS instance_pk,
        i.blob_key AS instance_blob_key, i.series_pk AS instance_series_pk, i.study_pk AS instance_study_pk,
        ist.study_instance_uid AS instance_study_uid, ise.series_instance_uid AS instance_series_uid
      FROM (SELECT 1 AS one) AS anchor
      LEFT JOIN patient p ON p.patient_key = ${r.patient.key}
      LEFT JOIN study st ON st.study_instance_uid = ${r.study.uid}
      LEFT JOIN series se ON se.series_instance_uid = ${r.series.uid}
      LEFT JOIN instance i ON i.sop_instance_uid = ${r.instance.sopInstanceUid}
      LEFT JOIN study ist ON ist.pk = i.study_pk
      LEFT JOIN series ise ON ise.pk = i.series_pk`.execute(trx);
    const row = result.rows[0]!;
    return {
      patient: row.patient_pk === null ? undefined : (row.merged_into_pk ?? row.patient_pk),
      study: row.study_pk === null ? undefined : { pk: row.study_pk, patientPk: row.study_patient_pk! },
      series: row.series_pk === null ? undefined : { pk: row.series_pk, studyPk: row.series_study_pk! },
      instance:
        row.instance_pk === null
          ? undefined
          : {
              pk: row.instance_pk,
              blobKey: row.instance_blob_key!,
              seriesPk: row.instance_series_pk!,
              studyPk: row.instance_study_pk!,
              studyUid: row.instance_study_uid!,
              seriesUid: row.instance_series_uid!,
            },
    };
  }

  // Patients are found by PatientID + IssuerOfPatientID only. A later instance with other demographics
  // does not overwrite the record: corrections come through ADT (RIS issue), never from a guess.
  /** A new patient's key, or undefined when another writer created the patient first. */
  private async insertPatient(trx: Tx, r: InstanceRecord, now: number): Promise<number | undefined> {
    const p = r.patient;
    const inserted = await trx
      .insertInto('patient')
      .values(patientRow(p, now))
      .onConflict((oc) => oc.column('patient_key').doNothing())
      .returning('pk')
      .executeTakeFirst();
    // Names are written only here, when the patient is created: that is when its keys are recorded.
    if (inserted === undefined) return undefined;
    await insertNameKeys(trx, Tag.PatientName, inserted.pk, p.nameFuzzy);
    return inserted.pk;
  }

  /**
   * True when the study was reconciled away from the patient an instance names (its correction kept
   * what was sent): the rest of the study, sent as before, joins it on its corrected patient.
   */
  private async reconciledFrom(trx: Tx, studyUid: string, patientId: string): Promise<boolean> {
    const corrections = await trx
      .selectFrom('study_correction')
      .select('original')
      .where('study_instance_uid', '=', studyUid)
      .execute();
    return corrections.some((c) => {
      const original = JSON.parse(c.original) as { '00100020'?: { Value?: unknown[] } };
      return (original['00100020']?.Value?.[0] ?? '') === patientId;
    });
  }

  private async upsertStudy(
    trx: Tx,
    r: InstanceRecord,
    found: KnownRows['study'],
    patientPk: number,
    now: number,
  ): Promise<{ pk: number; created: boolean }> {
    const s = r.study;
    if (found !== undefined) {
      if (found.patientPk !== patientPk && !(await this.reconciledFrom(trx, s.uid, r.patient.patientId))) {
        throw new AppError(
          ErrorCode.DataSetMismatch,
          `study ${s.uid} is stored for another patient (PatientID/IssuerOfPatientID differ); reconcile before sending`,
        );
      }
      return { pk: found.pk, created: false };
    }
    const inserted = await trx
      .insertInto('study')
      .values(studyRow(s, patientPk, now))
      .returning('pk')
      .executeTakeFirstOrThrow();
    await insertNameKeys(trx, Tag.ReferringPhysicianName, inserted.pk, s.referringPhysicianNameFuzzy);
    if (s.referringProviderKeys.length > 0) {
      await trx
        .insertInto('study_access_key')
        .values(s.referringProviderKeys.map(({ kind, value }) => ({ study_pk: inserted.pk, kind, value })))
        .execute();
    }
    return { pk: inserted.pk, created: true };
  }

  private async upsertSeries(
    trx: Tx,
    r: InstanceRecord,
    found: KnownRows['series'],
    studyPk: number,
    now: number,
  ): Promise<{ pk: number; created: boolean }> {
    const s = r.series;
    if (found !== undefined) {
      if (found.studyPk !== studyPk) {
        throw new AppError(ErrorCode.DataSetMismatch, `series ${s.uid} is stored in another study`);
      }
      return { pk: found.pk, created: false };
    }
    const inserted = await trx
      .insertInto('series')
      .values(seriesRow(s, studyPk, now))
      .returning('pk')
      .executeTakeFirstOrThrow();
    return { pk: inserted.pk, created: true };
  }

  // Removes an instance row and keeps the counters right (overwrite policy). Empty series and studies
  // are removed with it; modality and SOP class sets are rebuilt from what is left. The attribute values
  // it alone had stay recorded while its study lives: that table only narrows queries, the JSON decides.
  private async removeInstance(
    trx: Tx,
    row: { pk: number; series_pk: number; study_pk: number },
  ): Promise<void> {
    await trx.deleteFrom('instance').where('pk', '=', row.pk).execute();
    const left = await trx
      .selectFrom('instance')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('series_pk', '=', row.series_pk)
      .executeTakeFirstOrThrow();
    const seriesEmpty = Number(left.n) === 0;
    if (seriesEmpty) await trx.deleteFrom('series').where('pk', '=', row.series_pk).execute();
    else {
      await trx
        .updateTable('series')
        .set({ number_of_instances: sql`number_of_instances - 1` })
        .where('pk', '=', row.series_pk)
        .execute();
    }
    const remaining = await trx
      .selectFrom('instance')
      .innerJoin('series', 'series.pk', 'instance.series_pk')
      .select(['series.modality', 'instance.sop_class_uid'])
      .distinct()
      .where('instance.study_pk', '=', row.study_pk)
      .execute();
    if (remaining.length === 0) {
      await trx
        .deleteFrom('person_name_key')
        .where('tag', '=', Tag.ReferringPhysicianName)
        .where('owner_pk', '=', row.study_pk)
        .execute();
      await trx.deleteFrom('study_access_key').where('study_pk', '=', row.study_pk).execute();
      await trx.deleteFrom('attribute_value').where('study_pk', '=', row.study_pk).execute();
      await trx.deleteFrom('study').where('pk', '=', row.study_pk).execute();
      return;
    }
    const asSet = (values: Array<string | null>) => {
      const members = [...new Set(values.filter((v): v is string => v !== null && v !== ''))];
      return members.length === 0 ? '' : `\\${members.join('\\')}\\`;
    };
    await trx
      .updateTable('study')
      .set({
        number_of_instances: sql`number_of_instances - 1`,
        number_of_series: seriesEmpty ? sql`number_of_series - 1` : sql`number_of_series`,
        modalities_in_study: asSet(remaining.map((x) => x.modality)),
        sop_classes_in_study: asSet(remaining.map((x) => x.sop_class_uid)),
      })
      .where('pk', '=', row.study_pk)
      .execute();
  }

  async storedObjects(after: number, limit: number): Promise<StoredObject[]> {
    const rows = await this.db
      .selectFrom('instance')
      .select(['pk', 'sop_instance_uid', 'blob_key', 'frame_index'])
      .where('pk', '>', after)
      .orderBy('pk')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      pk: Number(row.pk),
      sopInstanceUid: row.sop_instance_uid,
      blobKey: row.blob_key,
      frameIndex: row.frame_index,
    }));
  }

  async setFrameIndex(object: StoredObject, frameIndex: string | null): Promise<boolean> {
    const result = await this.db
      .updateTable('instance')
      .set({ frame_index: frameIndex })
      .where('pk', '=', object.pk)
      .where('blob_key', '=', object.blobKey)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async findInstances(selector: InstanceSelector, scope: AccessScope): Promise<StoredInstance[]> {
    return (await this.selectStoredInstances(selector, scope, false)).instances;
  }

  async findInstancesWithMetadata(
    selector: InstanceSelector,
    scope: AccessScope,
  ): Promise<InstancesWithMetadata> {
    return this.selectStoredInstances(selector, scope, true);
  }

  private async selectStoredInstances(
    selector: InstanceSelector,
    scope: AccessScope,
    withMetadata: boolean,
  ): Promise<InstancesWithMetadata> {
    const rows = await this.selectInstances(selector, scope)
      .select([
        // Only to send whole objects: frames and rendered images read none of these texts.
        sql<string>`${withMetadata ? sql.ref('instance.metadata') : sql.lit('')}`.as('metadata'),
        sql<string>`${withMetadata ? sql.ref('patient.attributes') : sql.lit('')}`.as('attributes'),
        'study.accession_number',
        'patient.patient_id',
        'study.study_instance_uid',
        'series.series_instance_uid',
        'instance.sop_instance_uid',
        'instance.sop_class_uid',
        'instance.transfer_syntax_uid',
        'instance.blob_key',
        'instance.size',
        'instance.number_of_frames',
        'instance.bits_allocated',
        'instance.frame_index',
      ])
      .execute();
    const first = rows[0];
    const instances = rows.map((row) => ({
      metadata: row.metadata,
      patientId: row.patient_id,
      studyUid: row.study_instance_uid,
      seriesUid: row.series_instance_uid,
      sopInstanceUid: row.sop_instance_uid,
      sopClassUid: row.sop_class_uid,
      transferSyntaxUid: row.transfer_syntax_uid,
      blobKey: row.blob_key,
      size: row.size,
      numberOfFrames: row.number_of_frames,
      bitsAllocated: row.bits_allocated,
      frameIndex: row.frame_index === null ? null : (JSON.parse(row.frame_index) as FrameIndex),
    }));
    return {
      instances,
      ...(first !== undefined && withMetadata
        ? { current: { patientAttributes: first.attributes, accessionNumber: first.accession_number } }
        : {}),
    };
  }

  async instanceMetadata(selector: InstanceSelector, scope: AccessScope): Promise<InstanceMetadata> {
    const rows = await this.selectInstances(selector, scope)
      .select(['instance.metadata', 'patient.patient_id', 'patient.attributes', 'study.accession_number'])
      .execute();
    const first = rows[0];
    return {
      patientIds: [...new Set(rows.map((row) => row.patient_id))],
      metadata: rows.map((row) => row.metadata),
      ...(first !== undefined
        ? { current: { patientAttributes: first.attributes, accessionNumber: first.accession_number } }
        : {}),
    };
  }

  private selectInstances(selector: InstanceSelector, scope: AccessScope) {
    let query = this.db
      .selectFrom('instance')
      .innerJoin('series', 'series.pk', 'instance.series_pk')
      .innerJoin('study', 'study.pk', 'instance.study_pk')
      .innerJoin('patient', 'patient.pk', 'study.patient_pk')
      .where('study.study_instance_uid', '=', selector.studyUid);
    if (selector.seriesUid !== undefined)
      query = query.where('series.series_instance_uid', '=', selector.seriesUid);
    if (selector.sopInstanceUid !== undefined) {
      query = query.where('instance.sop_instance_uid', '=', selector.sopInstanceUid);
    }
    const inScope = accessScopeCondition(this.dialect, scope, 'study');
    if (inScope !== undefined) query = query.where(inScope);
    return query
      .orderBy('series.series_number')
      .orderBy('series.pk')
      .orderBy('instance.instance_number')
      .orderBy('instance.pk');
  }

  async query(query: ArchiveQuery, scope: AccessScope): Promise<QueryMatch[]> {
    return runArchiveQuery(this.db, this.dialect, query, scope);
  }
}
