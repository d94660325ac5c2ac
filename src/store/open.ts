import type { Durability } from './sqlite/db.js';
import type { Store } from './port.js';
import { isPostgresUrl, withoutPassword } from './postgres/location.js';
import { openReadOnlySqliteStore, openSqliteStore } from './sqlite/store.js';

export type { Durability };
export { isPostgresUrl, withoutPassword };

/** Opens the SQLite store at a file path (or `:memory:`), at once. */
export function openStore(location: string, durability: Durability): Store {
  return openSqliteStore(location, durability);
}

/**
 * Opens the store `--db` names: a postgres:// or postgresql:// URL is PostgreSQL (connected and
 * migrated before this resolves); anything else is a SQLite file path (or `:memory:`).
 * `durability` is SQLite's; a Postgres server's durability is its own configuration.
 */
export async function openStoreAt(location: string, durability: Durability): Promise<Store> {
  if (!isPostgresUrl(location)) return openSqliteStore(location, durability);
  // Loaded on first use: a SQLite server never evaluates the driver.
  const { openPostgresStore } = await import('./postgres/store.js');
  return openPostgresStore(location);
}

/**
 * Opens the store `--db` names read-only (`serve --read-only`): an existing SQLite file, or a
 * Postgres database whose schema is this build's, with read-only sessions. Neither is migrated.
 */
export async function openReadOnlyStoreAt(location: string): Promise<Store> {
  if (!isPostgresUrl(location)) return openReadOnlySqliteStore(location);
  const { openPostgresStore } = await import('./postgres/store.js');
  return openPostgresStore(location, { readOnly: true });
}
