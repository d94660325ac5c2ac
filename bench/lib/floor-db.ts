import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/store/sqlite/db.js';
import { migrate } from '../../src/store/sqlite/migrate.js';

/** The one thread the floor servers (bench/baselines/*-floor-server.ts) write to. */
export const FLOOR_THREAD = 'thr_floor';

/**
 * A database opened as Threadline's server opens it (its own `openDatabase`: WAL, the durability's
 * synchronous, foreign keys; its migrations), with the floor thread in it: a floor server writes
 * what Threadline writes, on the same schema.
 */
export function openFloorDb(path: string, synchronous: string): Database.Database {
  const db = openDatabase(path, synchronous === 'NORMAL' ? 'normal' : 'full');
  migrate(db);
  const now = new Date().toISOString();
  db.prepare(`INSERT OR IGNORE INTO threads (id, title, auto_approve, trust_mode, metadata, created_at, updated_at)
    VALUES (?, 'floor', 0, 0, '{}', ?, ?)`).run(FLOOR_THREAD, now, now);
  return db;
}
