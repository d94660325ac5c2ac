import type Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations/index.js';

/** The database was written by a newer Threadline: refuse it rather than touch it. */
export class NewerSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `database schema version ${found} is newer than this Threadline supports (${supported}); upgrade Threadline`,
    );
    this.name = 'NewerSchemaError';
  }
}

/**
 * Brings the schema to the latest version, one migration per transaction. Cheap when current:
 * one pragma read. Each migration re-reads the version inside its write transaction, so two
 * processes opening the same file at once apply each migration exactly once.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const current = schemaVersion(db);
  if (current > latest) throw new NewerSchemaError(current, latest);
  if (current === latest) return current;
  for (const migration of migrations) {
    db.transaction(() => {
      const now = schemaVersion(db);
      if (now > latest) throw new NewerSchemaError(now, latest);
      if (now >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}

/** Reads the version only: a file from a newer Threadline is refused before anything touches it. */
export function refuseNewerSchema(db: Database.Database): void {
  const found = schemaVersion(db);
  if (found > LATEST_SCHEMA_VERSION) throw new NewerSchemaError(found, LATEST_SCHEMA_VERSION);
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export { LATEST_SCHEMA_VERSION };
