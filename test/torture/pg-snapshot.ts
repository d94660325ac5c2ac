/**
 * The invariant checker (invariants.ts) reads a SQLite file. For a run on Postgres, this copies
 * the Postgres database's rows, as they are, into a fresh SQLite file of the same schema, so the
 * same checks judge it. One REPEATABLE READ snapshot: every table as of one instant. The search
 * index is Postgres's own (a tsvector, not FTS5) and is not copied: `checkDatabase` is told so.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrate } from '../../src/store/sqlite/migrate.js';

const TABLES = ['threads', 'turns', 'items', 'admissions', 'events', 'owners'] as const;

/** Copies the rows of the Postgres database at `url` into a new SQLite file; returns its path. */
export async function snapshotToSqlite(url: string): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'threadline-pg-snapshot-')), 'snapshot.db');
  const db = new Database(path);
  migrate(db);
  db.pragma('foreign_keys = OFF'); // rows arrive table by table
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const table of TABLES) {
      const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string }[];
      const { rows } = await client.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
      const names = columns.map((c) => c.name).filter((name) => rows.length === 0 || name in rows[0]!);
      const insert = db.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
      const integer = new Set(columns.filter((c) => c.type.toUpperCase() === 'INTEGER').map((c) => c.name));
      db.transaction(() => {
        for (const row of rows) insert.run(...names.map((name) => toSqlite(row[name], integer.has(name))));
      })();
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
    db.close();
  }
  return path;
}

/** pg gives bigint as text and booleans as booleans; SQLite's STRICT INTEGER columns want numbers. */
function toSqlite(value: unknown, integer: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (integer && typeof value === 'string') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}
