import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { ReadTx, Store, WriteTx } from '../port.js';
import { DataVersionFeed } from './change-feed.js';
import { openDatabase, openReadOnlyDatabase, type Durability } from './db.js';
import { LATEST_SCHEMA_VERSION, migrate, refuseNewerSchema, schemaVersion } from './migrate.js';
import { admissionTable } from './tables/admissions.js';
import { approvalRuleTable } from './tables/approval-rules.js';
import { clientRequestTable } from './tables/client-requests.js';
import { eventTable } from './tables/events.js';
import { itemTable } from './tables/items.js';
import { ownerTable } from './tables/owners.js';
import { reportTable } from './tables/reports.js';
import { routingTable } from './tables/routing.js';
import { threadTable } from './tables/threads.js';
import { turnTable } from './tables/turns.js';

/**
 * The SQLite adapter of the store port: one better-sqlite3 connection, every statement prepared
 * once. A write is a synchronous IMMEDIATE transaction (the file's write lock is taken at BEGIN,
 * so two processes' transactions never interleave); a read is a DEFERRED one (one snapshot).
 * The transaction's clock is this process's: SQLite has no clock of its own to share.
 */
export function createSqliteStore(db: Database.Database): Store {
  const tables = {
    threads: threadTable(db),
    turns: turnTable(db),
    items: itemTable(db),
    admissions: admissionTable(db),
    events: eventTable(db),
    clientRequests: clientRequestTable(db),
    routing: routingTable(db),
    owners: ownerTable(db),
    reports: reportTable(db),
    approvalRules: approvalRuleTable(db),
  };
  // Each wrapped once (not per call): better-sqlite3 runs a transaction function called inside
  // another as a SAVEPOINT, which is what `savepoint` is.
  const run = db.transaction(<T>(fn: () => T): T => fn());
  const savepoint = <T>(fn: () => T): T => run(fn) as T;
  const feed = new DataVersionFeed(db);
  return {
    write<T>(fn: (tx: WriteTx) => T): T {
      return run.immediate(() => fn({ ...tables, now: new Date().toISOString(), savepoint })) as T;
    },
    read<T>(fn: (tx: ReadTx) => T): T {
      return run.deferred(() => fn(tables)) as T;
    },
    location: db.name,
    changeFeed: feed,
    close(): void {
      feed.stop();
      if (db.open) db.close();
    },
  };
}

/** Opens (creating privately) and migrates the database file; refuses one a newer Threadline wrote. */
export function openSqliteStore(path: string, durability: Durability): Store {
  const db = openDatabase(path, durability, refuseNewerSchema);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return createSqliteStore(db);
}

/** A write on a store opened with `openReadOnlySqliteStore`; the RPC layer answers it -32030. */
export class ReadOnlyStoreError extends Error {
  readonly code = 'SQLITE_READONLY';
  constructor() {
    super('the database is open read-only (serve --read-only)');
    this.name = 'SqliteError';
  }
}

/**
 * Opens an existing file read-only (`serve --read-only`, what `threadline inspect` runs): no
 * migration, so a schema of another version is refused in one line rather than read wrongly,
 * and `write` fails at once instead of waiting for the file's write lock.
 */
export function openReadOnlySqliteStore(path: string): Store {
  if (!existsSync(path)) throw new Error('no such file (--read-only opens an existing database)');
  const db = openReadOnlyDatabase(path);
  const found = schemaVersion(db);
  if (found !== LATEST_SCHEMA_VERSION) {
    db.close();
    throw new Error(
      found > LATEST_SCHEMA_VERSION
        ? `database schema version ${found} is newer than this Threadline supports (${LATEST_SCHEMA_VERSION}); upgrade Threadline`
        : `database schema version ${found} is older than this Threadline's (${LATEST_SCHEMA_VERSION}); open it once with threadline serve (without --read-only) to upgrade it`,
    );
  }
  const store = createSqliteStore(db);
  return {
    ...store,
    write() {
      throw new ReadOnlyStoreError();
    },
  };
}
