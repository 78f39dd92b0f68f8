import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Users' restrictions and lockout, API tokens, browser sessions, the audit trail and the key ring of
 * encryption at rest (issue #4).
 */
export function securityMigration(dialect: SqlDialect): Migration {
  const postgres = dialect === 'postgres';
  const millis = postgres ? 'bigint' : 'integer';
  const pkType = postgres ? 'bigserial' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('app_user').addColumn('display_name', 'text').execute();
      await db.schema
        .alterTable('app_user')
        .addColumn('provider_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .alterTable('app_user')
        .addColumn('institutions', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .alterTable('app_user')
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('app_user').addColumn('locked_until', millis).execute();
      // `<issuer>#<subject>` of a user who signs in through OpenID Connect.
      await db.schema.alterTable('app_user').addColumn('oidc_subject', 'text').execute();
      await db.schema
        .createIndex('app_user_oidc_idx')
        .on('app_user')
        .column('oidc_subject')
        .unique()
        .execute();

      await db.schema
        .createTable('api_token')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('user_pk', postgres ? 'bigint' : 'integer', (c) => c.notNull().references('app_user.pk'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('token_prefix', 'text', (c) => c.notNull())
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('expires_at', millis, (c) => c.notNull())
        .addColumn('last_used_at', millis)
        .addColumn('revoked_at', millis)
        .execute();
      await db.schema.createIndex('api_token_user_idx').on('api_token').column('user_pk').execute();

      await db.schema
        .createTable('user_session')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('session_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_pk', postgres ? 'bigint' : 'integer', (c) => c.notNull().references('app_user.pk'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('last_seen_at', millis, (c) => c.notNull())
        .addColumn('expires_at', millis, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('user_session_user_idx').on('user_session').column('user_pk').execute();

      await db.schema
        .createTable('audit_event')
        .addColumn('seq', millis, (c) => c.primaryKey())
        .addColumn('occurred_at', millis, (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('protocol', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('ae_title', 'text')
        .addColumn('patient_ids', 'text', (c) => c.notNull())
        .addColumn('study_uids', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_event_time_idx').on('audit_event').column('occurred_at').execute();
      await db.schema
        .createIndex('audit_event_user_idx')
        .on('audit_event')
        .columns(['username', 'seq'])
        .execute();

      await db.schema
        .createTable('audit_participant')
        .addColumn('event_seq', millis, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_participant_idx')
        .on('audit_participant')
        .columns(['kind', 'value', 'event_seq'])
        .execute();

      await db.schema
        .createTable('emergency_access')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('user_pk', postgres ? 'bigint' : 'integer', (c) => c.notNull().references('app_user.pk'))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('started_at', millis, (c) => c.notNull())
        .addColumn('expires_at', millis, (c) => c.notNull())
        .addColumn('ended_at', millis)
        .execute();
      await db.schema
        .createIndex('emergency_access_user_idx')
        .on('emergency_access')
        .columns(['user_pk', 'expires_at'])
        .execute();

      await db.schema
        .createTable('notification')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('acknowledged_at', millis)
        .addColumn('acknowledged_by', 'text')
        .execute();
      await db.schema
        .createIndex('notification_audience_idx')
        .on('notification')
        .columns(['audience', 'pk'])
        .execute();

      await db.schema
        .createTable('key_ring')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('wrapped_key', 'text', (c) => c.notNull())
        .addColumn('master_key_id', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_chain')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('last_seq', millis, (c) => c.notNull())
        .addColumn('last_hash', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
