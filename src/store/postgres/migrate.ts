import type pg from 'pg';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations/index.js';

/** The database was written by a newer Threadline: refuse it rather than touch it. */
export class NewerSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(`database schema version ${found} is newer than this Threadline supports (${supported}); upgrade Threadline`);
    this.name = 'NewerSchemaError';
  }
}

/** The advisory lock every migrating server takes: two servers starting at once apply each migration once. */
const MIGRATION_LOCK = 0x7472_0000;

/** The schema version the database holds (0: none yet). */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ found: boolean }>("SELECT to_regclass('schema_version') IS NOT NULL AS found");
  if (!rows[0]?.found) return 0;
  const version = await client.query<{ version: number }>('SELECT max(version) AS version FROM schema_version');
  return version.rows[0]?.version ?? 0;
}

/**
 * Brings the schema to the latest version, one migration per transaction, each under an advisory
 * lock and re-reading the version inside it. Cheap when current: one query. A database from a
 * newer Threadline is refused before anything is written.
 */
export async function migrate(client: pg.ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const current = await schemaVersion(client);
  if (current > latest) throw new NewerSchemaError(current, latest);
  if (current === latest) return current;
  // A session lock taken before each BEGIN: the transaction's statements then all see what the
  // server that held the lock before committed (the catalog included).
  for (const migration of migrations) {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('BEGIN');
      const now = await schemaVersion(client);
      if (now > latest) throw new NewerSchemaError(now, latest);
      if (now < migration.version) {
        await client.query(migration.sql);
        await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
        await client.query('DELETE FROM schema_version');
        await client.query('INSERT INTO schema_version (version) VALUES ($1)', [migration.version]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    }
  }
  return schemaVersion(client);
}

export { LATEST_SCHEMA_VERSION };

/**
 * What a read-only store checks instead of migrating: a schema of exactly this build's version,
 * else one line saying which way it differs (as the SQLite read-only store says it).
 */
export async function checkSchema(client: pg.ClientBase, latest = LATEST_SCHEMA_VERSION): Promise<void> {
  const found = await schemaVersion(client);
  if (found > latest) throw new NewerSchemaError(found, latest);
  if (found < latest) {
    throw new OlderSchemaError(
      `database schema version ${found} is older than this Threadline's (${latest}); open it once with threadline serve (without --read-only) to upgrade it`,
    );
  }
}

/** A read-only store found a schema it may not upgrade. */
export class OlderSchemaError extends Error {
  override name = 'OlderSchemaError';
}
