import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Durability = 'full' | 'normal';

/**
 * Opens the database with the pragmas every connection needs. WAL lets readers run beside the
 * writer; `synchronous` is set explicitly because WAL's compiled default (NORMAL) is not
 * power-loss safe, and `--durability full` promises that it is.
 */
export function openDatabase(
  path: string,
  durability: Durability,
  /** Runs before anything is written (WAL mode changes the file header), e.g. to refuse the file. */
  inspect: (db: Database.Database) => void = () => {},
): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    inspect(db);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${testHook('THREADLINE_TEST_BUSY_TIMEOUT_MS') ?? 5000}`);
    const maxPages = testHook('THREADLINE_TEST_MAX_PAGE_COUNT');
    if (maxPages !== undefined) db.pragma(`max_page_count = ${maxPages}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Undocumented hooks for the storage-fault tests (test/e2e/storage-faults.test.ts), not flags:
 * THREADLINE_TEST_MAX_PAGE_COUNT caps the file's pages (a full disk), and
 * THREADLINE_TEST_BUSY_TIMEOUT_MS shortens the wait for another process's write lock.
 */
function testHook(name: string): number | undefined {
  const raw = process.env[name];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}
