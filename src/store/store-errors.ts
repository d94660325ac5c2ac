/**
 * What a store's failure means to its callers, decided here once for every adapter: the RPC layer
 * answers it -32030 with `data.retryable`, a running turn retries its end or gives up its output
 * (orchestrator/turns/runner.ts). Duck-typed by the errors' names, so that nothing outside
 * store/ needs a driver's module (or this module needs the Postgres adapter's).
 */

/** SQLite primary result codes after which the same write may succeed later, unchanged. */
const RETRYABLE_SQLITE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR']);

/**
 * SQLSTATEs of a Postgres transaction the server aborted to break a conflict with another one
 * (a deadlock's victim, a serialization failure): all of it was rolled back, and running it again
 * at once is the remedy the server's manual prescribes.
 */
const CONFLICT_STATES = new Set(['40P01', '40001']);

/** A failure the database itself reported, as the store's adapter raised it. */
export interface StoreFailure {
  backend: 'sqlite' | 'postgres';
  /** SQLite's extended result code (`SQLITE_CONSTRAINT_TRIGGER`), or the SQLSTATE / driver code. */
  code: string;
  message: string;
  /** The same call may succeed later unchanged: the cause passes (a lock, a full disk, a restart). */
  retryable: boolean;
}

/** The store failure `error` is (better-sqlite3's SqliteError, the Postgres adapter's PostgresStoreError), else undefined. */
export function storeFailure(error: unknown): StoreFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, retryable } = error as { code?: unknown; retryable?: unknown };
  if (typeof code !== 'string') return undefined;
  if (error.name === 'SqliteError') {
    // Extended codes (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT) share their primary code's meaning.
    const primary = code.split('_').slice(0, 2).join('_');
    return { backend: 'sqlite', code, message: error.message, retryable: RETRYABLE_SQLITE.has(primary) };
  }
  // postgres/errors.ts classifies the SQLSTATE (or the driver's connection failure) when it wraps it.
  if (error.name === 'PostgresStoreError') return { backend: 'postgres', code, message: error.message, retryable: retryable === true };
  return undefined;
}

/**
 * Whether the call that failed with `error` may succeed if made again unchanged. An error that is
 * no store failure counts as not retryable: it is a bug of ours (or a broken invariant), which
 * the same input meets again every time — retrying it would spin forever, which is exactly what
 * a permanent refusal must not do.
 */
export function storeErrorRetryable(error: unknown): boolean {
  return storeFailure(error)?.retryable ?? false;
}

/**
 * Whether the write that failed with `error` lost a conflict with another transaction and was
 * rolled back whole: the caller may run it again at once (after undoing what it did in memory),
 * instead of answering its clients with an error they would only resend.
 */
export function storeConflict(error: unknown): boolean {
  const failure = storeFailure(error);
  return failure?.backend === 'postgres' && CONFLICT_STATES.has(failure.code);
}
