/**
 * Which backend the e2e suite runs on. `THREADLINE_TEST_DB=postgres` runs every spawned server on
 * Postgres (issue 16: one variable selects it): each database a test names by a file path (or a
 * fresh temp file, or `:memory:`) becomes a fresh database of its own on the test process's one
 * shared PostgreSQL server. The same path always maps to the same database within the process,
 * so a test that restarts a server "on the same database" gets the same Postgres database back.
 */
import { inCi, postgresMissing, sharedPostgres } from './postgres.js';

export const onPostgres = process.env.THREADLINE_TEST_DB === 'postgres';

if (onPostgres) {
  const missing = postgresMissing();
  if (missing) throw new Error(`THREADLINE_TEST_DB=postgres, but ${missing}${inCi() ? ' (CI)' : ''}`);
}

const databases = new Map<string, Promise<string>>();

const isUrl = (db: string): boolean => /^postgres(ql)?:\/\//.test(db);

/** The `--db` value a server gets for `db`: unchanged on SQLite; its own Postgres database otherwise. */
export async function testDb(db: string): Promise<string> {
  if (!onPostgres || isUrl(db)) return db;
  if (db === ':memory:') return (await sharedPostgres()).createDatabase();
  let url = databases.get(db);
  if (!url) {
    url = sharedPostgres().then((pg) => pg.createDatabase());
    databases.set(db, url);
  }
  return url;
}

/** `args` with the value of each `--db X` / `--db=X` replaced by `testDb(X)`. */
export async function withTestDb(args: readonly string[]): Promise<string[]> {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '--db' && i + 1 < out.length) out[i + 1] = await testDb(out[++i]!);
    else if (out[i]!.startsWith('--db=')) out[i] = `--db=${await testDb(out[i]!.slice(5))}`;
  }
  return out;
}

/**
 * A test option that skips a test about SQLite files themselves when the suite runs on Postgres:
 * `test(name, sqliteOnly('reads the file with better-sqlite3'), fn)`.
 */
export function sqliteOnly(reason: string): { skip: string | false } {
  return { skip: onPostgres ? `SQLite only: ${reason}` : false };
}
