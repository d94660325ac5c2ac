import pg from 'pg';
import { fromText, storable } from './nul-text.js';
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
  /**
   * Sends a statement whose result nobody needs (a lock, an INSERT, an UPDATE) without waiting
   * for it: the connection is pipelined, so it costs no round trip of its own, and the server
   * runs it before whatever is sent after it. Its error is thrown by the next awaited statement
   * (in place of that one's own) or by `settle`.
   */
  send(text: string, values?: unknown[], then?: (rows: Row[]) => void): void;
  /** Waits for every sent statement; throws the first error none has thrown yet. */
  settle(): Promise<void>;
  /** Whether statements were sent that nothing has checked yet. */
  readonly unsettled: boolean;
  /** Whether a statement other than a SELECT ran (a transaction that wrote nothing notifies no one). */
  readonly wrote: boolean;
  /**
   * Moves whenever a statement may have changed `table`'s rows (one writing it; a DELETE anywhere,
   * which may cascade; a savepoint's end): a row read or written at the same version is still what
   * the database holds, in this transaction.
   */
  version(table: string): number;
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
  /**
   * A thread's last seq as this transaction knows it while it holds the thread's lock (read under
   * the lock, then moved by its own `nextSeq`s only: no other transaction can move it).
   */
  knownSeq(threadId: string): number | undefined;
  /** Records the thread's last seq, read or allocated under its lock (undefined: forget it). */
  seqIs(threadId: string, seq: number | undefined): void;
  /** A savepoint: what it locked is unlocked again, and every known seq forgotten, if it rolls back. */
  mark(): () => void;
}

export interface Ctx {
  sql: Sql;
  locks: Locks;
}

/** bigint columns (seqs, counts) as numbers: they stay far below 2^53. */
export const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : oid === pg.types.builtins.TEXT || oid === pg.types.builtins.VARCHAR
        ? fromText // nul-text.ts: strings holding U+0000 come back as they were written
        : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Statement names by text: the same text is the same name on every connection. */
const names = new Map<string, string>();
const nameOf = (text: string): string => {
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `tl${names.size}`));
  return name;
};

/**
 * The transaction's statements on its (pipelined) connection. Awaited statements and sent ones
 * go out in call order and the server runs them in that order; a sent statement's failure is
 * reported once, by the first awaited statement or `settle` after it (the transaction is aborted
 * by then, so later statements fail too: the first error is the one that explains it).
 */
export function sqlOn(client: pg.PoolClient, secrets: readonly string[]): Sql {
  let wrote = false;
  /** Statements that may have changed every table, and each table's own writes. */
  let everything = 0;
  const written = new Map<string, number>();
  /** Sent statements not yet checked: each settles to its error, or undefined. */
  let inFlight: Promise<unknown>[] = [];
  const firstSentError = async (): Promise<unknown> => {
    if (inFlight.length === 0) return undefined;
    const sent = inFlight;
    inFlight = [];
    return (await Promise.all(sent)).find((e) => e !== undefined);
  };
  const submit = (text: string, values: unknown[] | undefined, rowMode?: 'array'): Promise<pg.QueryResult> => {
    if (!/^\s*SELECT\b/i.test(text)) {
      // A WITH is a read (search) unless one of its parts writes (nextSeq's).
      if (!/^\s*WITH\b/i.test(text) || /\b(INSERT|UPDATE|DELETE)\b/.test(text)) wrote = true;
      const table = /^\s*(?:WITH\b[^(]*\(\s*)?(?:INSERT\s+INTO|UPDATE)\s+(\w+)/i.exec(text)?.[1];
      if (table === undefined) everything++;
      else written.set(table, (written.get(table) ?? 0) + 1);
    }
    return client.query({ name: nameOf(text), text, values: storable(values), ...(rowMode && { rowMode }) } as pg.QueryConfig);
  };
  const query = async (text: string, values: unknown[] | undefined, rowMode?: 'array'): Promise<pg.QueryResult> => {
    let result: pg.QueryResult | undefined;
    let failure: unknown;
    try {
      result = await submit(text, values, rowMode);
    } catch (error) {
      failure = error;
    }
    const earlier = await firstSentError();
    if (earlier !== undefined) throw earlier;
    if (failure !== undefined) throw toStoreError(failure, secrets);
    return result!;
  };
  return {
    rows: async <R>(text: string, values?: unknown[]) => (await query(text, values)).rows as R[],
    arrays: async <R extends unknown[]>(text: string, values?: unknown[]) => (await query(text, values, 'array')).rows as R[],
    run: async (text: string, values?: unknown[]) => (await query(text, values)).rowCount ?? 0,
    send: (text: string, values?: unknown[], then?: (rows: Row[]) => void) => {
      inFlight.push(
        submit(text, values).then(
          (result) => void then?.(result.rows as Row[]),
          (error: unknown) => toStoreError(error, secrets),
        ),
      );
    },
    settle: async () => {
      const earlier = await firstSentError();
      if (earlier !== undefined) throw earlier;
    },
    get unsettled() {
      return inFlight.length > 0;
    },
    get wrote() {
      return wrote;
    },
    version: (table: string) => everything + (written.get(table) ?? 0),
  };
}

export function writeLocks(sql: Sql): Locks {
  let held = new Set<string>();
  let seqs = new Map<string, number>();
  const threadOfQueries = {
    turns: 'SELECT t.id, t.last_seq FROM threads t WHERE t.id = (SELECT thread_id FROM turns WHERE id = $1) FOR UPDATE OF t',
    items: 'SELECT t.id, t.last_seq FROM threads t WHERE t.id = (SELECT thread_id FROM items WHERE id = $1) FOR UPDATE OF t',
    admissions: 'SELECT t.id, t.last_seq FROM threads t WHERE t.id = (SELECT thread_id FROM admissions WHERE id = $1) FOR UPDATE OF t',
  } as const;
  /** Rows whose thread this transaction locked (a row never changes thread). */
  let lockedRows = new Set<string>();
  /**
   * What a lock read: the thread's last seq under the lock, when it is still held (no savepoint
   * rolled it back) and not known already (a seq this transaction allocated since is newer).
   */
  const lockedAt = (rows: Row[]) => {
    const row = rows[0] as { id: string; last_seq: number } | undefined;
    if (row && held.has(row.id) && !seqs.has(row.id)) seqs.set(row.id, row.last_seq);
  };
  // The locks are sent, not awaited: the statement that follows (the read or write they guard)
  // runs after the lock is granted on the server, in the same round trip. They read the last
  // seq too, which the thread's first event then needs no round trip for.
  return {
    thread: async (threadId) => {
      if (held.has(threadId)) return;
      held.add(threadId);
      sql.send('SELECT id, last_seq FROM threads WHERE id = $1 FOR UPDATE', [threadId], lockedAt);
    },
    threadOf: async (table, id) => {
      const key = `${table}:${id}`;
      if (lockedRows.has(key)) return;
      lockedRows.add(key);
      sql.send(threadOfQueries[table], [id], (rows) => {
        const row = rows[0] as { id: string } | undefined;
        if (row && lockedRows.has(key)) held.add(row.id);
        lockedAt(rows);
      });
    },
    locked: (threadId) => {
      held.add(threadId);
    },
    knownSeq: (threadId) => (held.has(threadId) ? seqs.get(threadId) : undefined),
    seqIs: (threadId, seq) => {
      if (seq === undefined) seqs.delete(threadId);
      else if (held.has(threadId)) seqs.set(threadId, seq);
    },
    mark: () => {
      const before = new Set(held);
      const rowsBefore = new Set(lockedRows);
      return () => {
        held = before;
        lockedRows = rowsBefore;
        seqs = new Map();
      };
    },
  };
}

export const NO_LOCKS: Locks = {
  thread: async () => {},
  threadOf: async () => {},
  locked: () => {},
  knownSeq: () => undefined,
  seqIs: () => {},
  mark: () => () => {},
};
