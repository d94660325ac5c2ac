import pg from 'pg';
import { brokeConnection, PostgresStoreError, toStoreError } from './errors.js';

/** The transaction's clock: the database's, ISO 8601 UTC with milliseconds, as `toISOString` prints it. */
const NOW = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now`;

export interface Transactions {
  pool: pg.Pool;
  /** This pool's backend pids: a notification from one of them is this store's own commit. */
  ownBackends: ReadonlySet<number>;
  /** A pooled connection; the driver's failure to give one is a store error. */
  connect(): Promise<pg.PoolClient>;
  /**
   * Runs `body` in one transaction (`begin` … `end()`) on a pooled connection, with the
   * database's clock read at BEGIN in the same round trip. `settle` (sent statements) is waited
   * for together with `end()`, sent right behind them.
   */
  transaction<T>(begin: string, body: (client: pg.PoolClient, now: string) => Promise<T>, end: () => string, settle?: () => Promise<void>): Promise<T>;
}

/** The pool and the transactions on it, for one store. */
export function transactions(config: pg.ClientConfig, poolSize: number, secrets: readonly string[]): Transactions {
  // Pipelined: a statement is sent without waiting for the one before to be answered (db.ts's
  // `send`); each still has its own Sync, so an error ends only its own statement.
  const pool = new pg.Pool({ ...config, max: poolSize, pipeline: true } as pg.PoolConfig);
  // An idle connection that dies (server restart) is dropped by the pool; it must not crash us.
  pool.on('error', () => {});
  /** This pool's backends: a notification from one of them is this store's own commit. */
  const ownBackends = new Set<number>();
  pool.on('connect', (client) => {
    const pid = (client as unknown as { processID?: number }).processID;
    if (pid) ownBackends.add(pid);
  });
  pool.on('remove', (client) => {
    const pid = (client as unknown as { processID?: number }).processID;
    if (pid) ownBackends.delete(pid);
  });

  /** Clients given an 'error' listener: a connection that dies while checked out must not crash the process. */
  const guarded = new WeakSet<pg.PoolClient>();
  const connect = async (): Promise<pg.PoolClient> => {
    try {
      const client = await pool.connect();
      if (!guarded.has(client)) {
        guarded.add(client);
        client.on('error', () => {}); // the query it was running rejects, and ROLLBACK fails: it is dropped
      }
      return client;
    } catch (error) {
      throw toStoreError(error, secrets);
    }
  };

  /** Runs the driver's own statement (BEGIN, COMMIT): its failure is a store error. */
  const driver = async <R>(run: () => Promise<R>): Promise<R> => {
    try {
      return await run();
    } catch (error) {
      throw toStoreError(error, secrets);
    }
  };

  /**
   * Runs `body` in one transaction on a pooled connection. What `body` throws passes unchanged
   * (the table calls already made the driver's errors store errors); a connection whose
   * ROLLBACK failed is broken and leaves the pool.
   */
  const transaction = async <T>(
    begin: string,
    body: (client: pg.PoolClient, now: string) => Promise<T>,
    end: () => string,
    settle: () => Promise<void> = async () => {},
  ): Promise<T> => {
    let client = await connect();
    let began = false;
    try {
      let results: pg.QueryResult<{ now: string }>[];
      try {
        results = await driver(() => client.query(`${begin}; SELECT ${NOW}`) as unknown as Promise<pg.QueryResult<{ now: string }>[]>);
      } catch (error) {
        // A pooled connection the server dropped while idle (a restart) fails at BEGIN, before
        // anything ran: drop it and begin once more on a fresh one.
        if (!(error instanceof PostgresStoreError && brokeConnection(error))) throw error;
        const broken = client;
        client = undefined as unknown as pg.PoolClient; // released: the catch below must not release it again
        broken.release(true);
        client = await connect();
        results = await driver(() => client.query(`${begin}; SELECT ${NOW}`) as unknown as Promise<pg.QueryResult<{ now: string }>[]>);
      }
      began = true;
      const result = await body(client, results[1]!.rows[0]!.now);
      // COMMIT goes out behind the statements still in flight. If one of them failed, the
      // transaction was aborted and the server answers that COMMIT with a rollback: its error is
      // the one to throw.
      const [sent, committed] = await Promise.allSettled([settle(), driver(() => client.query(end()))]);
      if (sent.status === 'rejected') throw sent.reason;
      if (committed.status === 'rejected') throw committed.reason;
      client.release();
      return result;
    } catch (error) {
      if (client) {
        const rolledBack = began && (await client.query('ROLLBACK').then(() => true, () => false));
        client.release(!rolledBack);
      }
      throw error;
    }
  };

  return { pool, ownBackends, connect, transaction };
}
