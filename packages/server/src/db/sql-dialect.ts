/** The SQL engines the index runs on (DESIGN §2: embedded SQLite, scale-out PostgreSQL). */
export const SqlDialect = { Sqlite: 'sqlite', Postgres: 'postgres' } as const;

/** One of {@link SqlDialect}. */
export type SqlDialect = (typeof SqlDialect)[keyof typeof SqlDialect];
