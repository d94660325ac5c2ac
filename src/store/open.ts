import type { Durability } from './sqlite/db.js';
import type { Store } from './port.js';
import { openSqliteStore } from './sqlite/store.js';

export type { Durability };

/** Opens the store `--db` names: a SQLite file path (or `:memory:`). */
export function openStore(location: string, durability: Durability): Store {
  return openSqliteStore(location, durability);
}
