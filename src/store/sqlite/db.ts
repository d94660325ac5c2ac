import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
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
  if (path !== ':memory:') createPrivately(path);
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
 * Opens an existing file for reading only (`serve --read-only`): nothing is created, no pragma
 * that writes is set, and every write fails with SQLITE_READONLY. A WAL file's readers need its
 * -shm and -wal files; SQLite makes them (empty) if no server has the file open.
 */
export function openReadOnlyDatabase(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma(`busy_timeout = ${testHook('THREADLINE_TEST_BUSY_TIMEOUT_MS') ?? 5000}`);
  return db;
}

/**
 * The database holds conversations and tool output: a directory this creates is 0700 and a new
 * file 0600, set explicitly so no umask widens them. SQLite gives the -wal and -shm files the
 * main file's mode. An existing directory or file keeps the mode its owner chose.
 */
function createPrivately(path: string): void {
  const dir = dirname(path);
  const first = makeDirectory(dir);
  if (first !== undefined) {
    // Every directory mkdir made, from the first down to the database's own.
    let made = first;
    chmodSync(made, 0o700);
    for (const part of relative(first, dir).split(sep).filter(Boolean)) chmodSync((made = join(made, part)), 0o700);
  }
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600); // an empty file is an empty database to SQLite
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

/** mkdir -p, with the one failure people hit said in words: a file where a folder must go. */
function makeDirectory(dir: string): string | undefined {
  try {
    return mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
    let blocker = dir;
    while (dirname(blocker) !== blocker && !isFile(blocker)) blocker = dirname(blocker);
    throw new Error(isFile(blocker) ? `${blocker} is a file, so the folder ${dir} cannot be made` : `cannot make the folder ${dir}`);
  }
}

function isFile(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
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
