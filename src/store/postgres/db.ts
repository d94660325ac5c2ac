import pg from 'pg';
import { toStoreError } from './errors.js';

export type Row = Record<string, unknown>;

/** One transaction's connection, as the table families use it. */
export interface Sql {
  /** Rows as objects. Every statement is prepared once per connection (named from its text). */
  rows<R = Row>(text: string, values?: unknown[]): Promise<R[]>;
  /** Rows as arrays (no object per row: the hot event reads). */
  arrays<R extends unknown[]>(text: string, values?: unknown[]): Promise<R[]>;
  /** How many rows the statement changed. */
  run(text: string, values?: unknown[]): Promise<number>;
  /** Whether a statement other than a SELECT ran (a transaction that wrote nothing notifies no one). */
  readonly wrote: boolean;
}

/**
 * Row locks that make two writers' transactions on one thread never interleave (port.ts): a
 * write transaction locks a thread's row (`FOR UPDATE`) at its first call that names the thread
 * or writes a row of it, and holds it to COMMIT; so everything it read of the thread after that
 * stays true until it commits. In a read transaction (one snapshot) they do nothing.
 */
export interface Locks {
  thread(threadId: string): Promise<void>;
  /** Locks the thread of the turn, item or admission `id` (nothing when there is no such row). */
  threadOf(table: 'turns' | 'items' | 'admissions', id: string): Promise<void>;
  /** The thread's row was just locked by an UPDATE of it (no query needed). */
  locked(threadId: string): void;
  /** A savepoint: what it locked is unlocked again if it rolls back. */
  mark(): () => void;
}

export interface Ctx {
  sql: Sql;
  locks: Locks;
}

/** bigint columns (seqs, counts) as numbers: they stay far below 2^53. */
export const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Statement names by text: the same text is the same name on every connection. */
const names = new Map<string, string>();
const nameOf = (text: string): string => {
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `tl${names.size}`));
  return name;
};

export function sqlOn(client: pg.PoolClient, secrets: readonly string[]): Sql {
  let wrote = false;
  const query = async (text: string, values: unknown[] | undefined, rowMode?: 'array'): Promise<pg.QueryResult> => {
    if (!wrote && !/^\s*(SELECT|WITH)\b/i.test(text)) wrote = true;
    try {
      return await client.query({ name: nameOf(text), text, values, ...(rowMode && { rowMode }) } as pg.QueryConfig);
    } catch (error) {
      throw toStoreError(error, secrets);
    }
  };
  return {
    rows: async <R>(text: string, values?: unknown[]) => (await query(text, values)).rows as R[],
    arrays: async <R extends unknown[]>(text: string, values?: unknown[]) => (await query(text, values, 'array')).rows as R[],
    run: async (text: string, values?: unknown[]) => (await query(text, values)).rowCount ?? 0,
    get wrote() {
      return wrote;
    },
  };
}

export function writeLocks(sql: Sql): Locks {
  let held = new Set<string>();
  const threadOfQueries = {
    turns: 'SELECT t.id FROM threads t WHERE t.id = (SELECT thread_id FROM turns WHERE id = $1) FOR UPDATE OF t',
    items: 'SELECT t.id FROM threads t WHERE t.id = (SELECT thread_id FROM items WHERE id = $1) FOR UPDATE OF t',
    admissions: 'SELECT t.id FROM threads t WHERE t.id = (SELECT thread_id FROM admissions WHERE id = $1) FOR UPDATE OF t',
  } as const;
  /** Rows already resolved to their thread in this transaction (a row never changes thread). */
  const owners = new Map<string, string>();
  return {
    thread: async (threadId) => {
      if (held.has(threadId)) return;
      await sql.run('SELECT 1 FROM threads WHERE id = $1 FOR UPDATE', [threadId]);
      held.add(threadId);
    },
    threadOf: async (table, id) => {
      const known = owners.get(`${table}:${id}`);
      if (known !== undefined && held.has(known)) return;
      const [row] = await sql.rows<{ id: string }>(threadOfQueries[table], [id]);
      if (!row) return;
      owners.set(`${table}:${id}`, row.id);
      held.add(row.id);
    },
    locked: (threadId) => {
      held.add(threadId);
    },
    mark: () => {
      const before = new Set(held);
      return () => {
        held = before;
      };
    },
  };
}

export const NO_LOCKS: Locks = {
  thread: async () => {},
  threadOf: async () => {},
  locked: () => {},
  mark: () => () => {},
};
