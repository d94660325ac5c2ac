import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type {
  AdmissionReads,
  AdmissionWrites,
  ApprovalRuleReads,
  ApprovalRuleWrites,
  ClientRequestReads,
  ClientRequestWrites,
  EventReads,
  EventWrites,
  ItemReads,
  ItemWrites,
  OwnerReads,
  OwnerWrites,
  ReadTx,
  ReportReads,
  RoutingReads,
  RoutingWrites,
  Store,
  ThreadReads,
  ThreadWrites,
  TurnReads,
  TurnWrites,
  WriteTx,
} from '../port.js';
import { DataVersionFeed } from './change-feed.js';
import { lazyStatements } from './lazy-statements.js';
import { openDatabase, openReadOnlyDatabase, type Durability } from './db.js';
import { OneAtATime } from './one-at-a-time.js';
import { settled } from './settled.js';
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
 * once (at its first use: lazy-statements.ts), transactions one at a time. A write is an
 * IMMEDIATE transaction (the file's write lock is taken at BEGIN, so two processes'
 * transactions never interleave); a read is a DEFERRED one (one snapshot). The port is
 * asynchronous, but every statement here runs at once: a transaction holds the file's lock
 * only for the microtasks between its statements.
 * The transaction's clock is this process's: SQLite has no clock of its own to share.
 */
export function createSqliteStore(db: Database.Database): Store {
  const statements = lazyStatements(db);
  const tables = {
    threads: settled<ThreadReads & ThreadWrites>(threadTable(statements)),
    turns: settled<TurnReads & TurnWrites>(turnTable(statements)),
    items: settled<ItemReads & ItemWrites>(itemTable(statements)),
    admissions: settled<AdmissionReads & AdmissionWrites>(admissionTable(statements)),
    events: settled<EventReads & EventWrites>(eventTable(statements)),
    clientRequests: settled<ClientRequestReads & ClientRequestWrites>(clientRequestTable(statements)),
    routing: settled<RoutingReads & RoutingWrites>(routingTable(statements)),
    owners: settled<OwnerReads & OwnerWrites>(ownerTable(statements)),
    reports: settled<ReportReads>(reportTable(statements)),
    approvalRules: settled<ApprovalRuleReads & ApprovalRuleWrites>(approvalRuleTable(statements)),
  };
  const sql = {
    beginImmediate: db.prepare('BEGIN IMMEDIATE'),
    beginDeferred: db.prepare('BEGIN DEFERRED'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  };
  const turns = new OneAtATime();
  /** Savepoints open now: a savepoint is named by its depth, so its statements are prepared once. */
  let depth = 0;
  const savepointSql: { open: Database.Statement; release: Database.Statement; rollback: Database.Statement }[] = [];
  const savepointAt = (level: number) =>
    (savepointSql[level] ??= {
      open: db.prepare(`SAVEPOINT sp${level}`),
      release: db.prepare(`RELEASE sp${level}`),
      rollback: db.prepare(`ROLLBACK TO sp${level}`),
    });

  /** One transaction; the caller holds the turn (`turns.run`). */
  async function runTransaction<T>(begin: Database.Statement, fn: () => Promise<T>): Promise<T> {
    begin.run();
    depth = 0;
    try {
      const result = await fn();
      sql.commit.run();
      return result;
    } catch (error) {
      // A failed COMMIT (SQLITE_BUSY, disk full) may have ended the transaction already.
      if (db.inTransaction) sql.rollback.run();
      throw error;
    }
  }

  function transaction<T>(begin: Database.Statement, fn: () => Promise<T>): Promise<T> {
    return turns.run(() => runTransaction(begin, fn));
  }

  /**
   * A write transaction with `synchronous = OFF`, set and restored within its turn, so no other
   * transaction runs with it. A new WAL's header and its directory entry are then synced by the
   * next commit that syncs, before that commit is acknowledged: no acknowledged write depends on
   * this one; its own frames are kept whole or dropped by the WAL's checksums if the machine
   * stops first.
   */
  function unsyncedWrite<T>(fn: () => Promise<T>): Promise<T> {
    return turns.run(async () => {
      const level = db.pragma('synchronous', { simple: true }) as number;
      db.pragma('synchronous = OFF');
      try {
        return await runTransaction(sql.beginImmediate, fn);
      } finally {
        db.pragma(`synchronous = ${level}`);
      }
    });
  }

  /**
   * A group commit runs each of its jobs in a savepoint (up to 256 a transaction): prepared
   * statements, not `db.exec`, which compiled the SQL anew each time (about 30 µs a job).
   * Savepoints one after another reuse a name; nested ones get the next.
   */
  async function savepoint<T>(fn: () => Promise<T>): Promise<T> {
    depth++;
    try {
      const sp = savepointAt(depth);
      sp.open.run();
      try {
        const result = await fn();
        sp.release.run();
        return result;
      } catch (error) {
        sp.rollback.run();
        sp.release.run();
        throw error;
      }
    } finally {
      depth--;
    }
  }

  /**
   * A write transaction's handle: its clock, read as it begins, on an object whose prototype holds
   * what every handle shares. (V8 copies an object spread followed by more properties, as in
   * `{ ...tables, now }`, on its slow path: ~1.7 µs a transaction.)
   */
  const shared = { ...tables, savepoint };
  const writeTx = (): WriteTx => {
    const tx = Object.create(shared) as { now: string };
    tx.now = new Date().toISOString();
    return tx as WriteTx;
  };

  const feed = new DataVersionFeed(db);
  return {
    write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
      return transaction(sql.beginImmediate, () => fn(writeTx()));
    },
    writeUnsynced<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
      return unsyncedWrite(() => fn(writeTx()));
    },
    read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
      return transaction(sql.beginDeferred, () => fn(tables));
    },
    location: db.name,
    changeFeed: feed,
    async close(): Promise<void> {
      feed.stop();
      // After the transaction in progress, if any: closing under it would fail its next statement.
      await turns.run(async () => {
        if (db.open) db.close();
      });
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
  const refuse = () => Promise.reject(new ReadOnlyStoreError());
  return { ...store, write: refuse, writeUnsynced: refuse };
}
