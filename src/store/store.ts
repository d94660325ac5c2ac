import type Database from 'better-sqlite3';
import { admissionStatements } from './admissions.js';
import { clientRequestStatements } from './client-requests.js';
import { openDatabase, type Durability } from './db.js';
import { eventStatements } from './events.js';
import { itemStatements } from './items.js';
import { migrate, refuseNewerSchema } from './migrate.js';
import { ownerStatements } from './owners.js';
import { routingStatements } from './routing.js';
import { threadStatements } from './threads.js';
import { turnStatements } from './turns.js';

/**
 * The store: every prepared statement, created once, and the one way to write — `write(fn)`,
 * a synchronous IMMEDIATE transaction. Nothing outside `store/` sees SQL.
 */
export function createStore(db: Database.Database) {
  const statements = {
    ...threadStatements(db),
    ...turnStatements(db),
    ...itemStatements(db),
    ...admissionStatements(db),
    ...eventStatements(db),
    ...clientRequestStatements(db),
    ...routingStatements(db),
    ...ownerStatements(db),
  };
  return {
    ...statements,
    /** Runs `fn` in one IMMEDIATE transaction: all of it commits, or none of it. Never pass an async fn. */
    write<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
    /** Runs `fn` on one consistent snapshot. */
    read<T>(fn: () => T): T {
      return db.transaction(fn).deferred();
    },
    close(): void {
      if (db.open) db.close();
    },
    get path(): string {
      return db.name;
    },
  };
}

export type Store = ReturnType<typeof createStore>;

export function openStore(path: string, durability: Durability): Store {
  const db = openDatabase(path, durability, refuseNewerSchema);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return createStore(db);
}
