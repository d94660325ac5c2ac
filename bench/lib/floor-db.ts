import Database from 'better-sqlite3';
import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { migrate } from '../../src/store/sqlite/migrate.js';

/** The one thread the floor servers (bench/baselines/*-floor-server.ts) write to. */
export const FLOOR_THREAD = 'thr_floor';

/**
 * A database as Threadline's server opens it (WAL, the given synchronous, foreign keys, its own
 * migrations), with the floor thread in it: a floor server writes what Threadline writes.
 */
export function openFloorDb(path: string, synchronous: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  migrate(db);
  const now = new Date().toISOString();
  db.prepare(`INSERT OR IGNORE INTO threads (id, title, auto_approve, trust_mode, metadata, created_at, updated_at)
    VALUES (?, 'floor', 0, 0, '{}', ?, ?)`).run(FLOOR_THREAD, now, now);
  return db;
}

const pool = new Uint8Array(256);
let used = pool.length;

/** A prefixed UUIDv7 with the random bytes drawn 256 at a time, as the server's ids are. */
export function floorId(prefix: string): string {
  if (used + 16 > pool.length) (randomFillSync(pool), (used = 0));
  return `${prefix}${uuidv7({ random: pool.subarray(used, (used += 16)) })}`;
}
