import pg from 'pg';
import type { ReadTx, Store, WriteTx } from '../port.js';
import { CHANNEL, NotifyFeed } from './change-feed.js';
import { NO_LOCKS, sqlOn, TYPES, writeLocks, type Ctx } from './db.js';
import { brokeConnection, PostgresStoreError, toStoreError } from './errors.js';
import { secretsOf, withoutPassword } from './location.js';
import { migrate, NewerSchemaError } from './migrate.js';
import { admissionTable } from './tables/admissions.js';
import { clientRequestTable } from './tables/client-requests.js';
import { eventTable } from './tables/events.js';
import { itemTable } from './tables/items.js';
import { ownerTable } from './tables/owners.js';
import { reportTable } from './tables/reports.js';
import { routingTable } from './tables/routing.js';
import { threadTable } from './tables/threads.js';
import { turnTable } from './tables/turns.js';

export interface PostgresOptions {
  /** Connections of the pool: concurrent transactions of this server (default 10). */
  poolSize?: number;
  /** How long a connection attempt or a pooled connection is waited for (default 10 s). */
  connectTimeoutMs?: number;
}

/** The transaction's clock: the database's, ISO 8601 UTC with milliseconds, as `toISOString` prints it. */
const NOW = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now`;

const tablesOf = (ctx: Ctx) => ({
  threads: threadTable(ctx),
  turns: turnTable(ctx),
  items: itemTable(ctx),
  admissions: admissionTable(ctx),
  events: eventTable(ctx),
  clientRequests: clientRequestTable(ctx),
  routing: routingTable(ctx),
  owners: ownerTable(ctx),
  reports: reportTable(ctx),
});

/**
 * The Postgres adapter of the store port: a pool of connections, one per running transaction.
 * A write is READ COMMITTED plus row locks: it locks each thread's row at its first touch and
 * holds it to COMMIT (db.ts's Locks), so two writers' transactions on one thread — on any
 * number of servers — never interleave, while writers on different threads run side by side.
 * A read is REPEATABLE READ READ ONLY: one snapshot. `tx.now` is the database's clock, read at
 * BEGIN in the same round trip. Every commit notifies `threadline_changes` (change-feed.ts).
 */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<Store> {
  const secrets = secretsOf(url);
  const config: pg.ClientConfig = {
    connectionString: url,
    types: TYPES,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'threadline',
    keepAlive: true,
  };
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
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

  try {
    const client = await connect();
    try {
      await migrate(client);
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw error instanceof NewerSchemaError ? error : toStoreError(error, secrets);
  }

  /** Runs `body` in one transaction on a pooled connection; a broken connection is not pooled again. */
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
  const transaction = async <T>(begin: string, body: (client: pg.PoolClient, now: string) => Promise<T>, end: () => string): Promise<T> => {
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
      await driver(() => client.query(end()));
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

  const feed = new NotifyFeed(config, ownBackends);
  try {
    await feed.start();
  } catch (error) {
    await pool.end().catch(() => {});
    throw toStoreError(error, secrets);
  }
  return {
    write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
      /** What to notify: thread ids whose seq moved, with their last seq in this transaction. */
      const seqs = new Map<string, number>();
      let wrote = () => false;
      return transaction(
        'BEGIN ISOLATION LEVEL READ COMMITTED',
        async (client, now) => {
          const sql = sqlOn(client, secrets);
          wrote = () => sql.wrote;
          const locks = writeLocks(sql);
          const tables = tablesOf({ sql, locks });
          const nextSeq = tables.threads.nextSeq;
          tables.threads.nextSeq = async (id) => {
            const seq = await nextSeq(id);
            seqs.set(id, seq);
            return seq;
          };
          let savepoints = 0;
          const savepoint = async <S>(inner: () => Promise<S>): Promise<S> => {
            const name = `sp${++savepoints}`;
            const unlock = locks.mark();
            const taken = new Map(seqs);
            await sql.run(`SAVEPOINT ${name}`);
            try {
              const value = await inner();
              await sql.run(`RELEASE SAVEPOINT ${name}`);
              return value;
            } catch (error) {
              await sql.run(`ROLLBACK TO SAVEPOINT ${name}`);
              unlock();
              seqs.clear();
              for (const [k, v] of taken) seqs.set(k, v);
              throw error;
            }
          };
          return fn({ ...tables, now, savepoint });
        },
        () => (wrote() ? `SELECT pg_notify('${CHANNEL}', '${notifyPayload(seqs)}'); COMMIT` : 'COMMIT'),
      );
    },
    read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
      return transaction(
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
        (client) => fn(tablesOf({ sql: sqlOn(client, secrets), locks: NO_LOCKS })),
        () => 'COMMIT',
      );
    },
    location: withoutPassword(url),
    changeFeed: feed,
    async close(): Promise<void> {
      feed.stop();
      await pool.end().catch(() => {});
    },
  };
}

/** `threadId:seq` pairs, comma-separated, as an SQL string literal's body (under NOTIFY's 8000-byte cap). */
function notifyPayload(seqs: Map<string, number>): string {
  const payload = [...seqs].map(([id, seq]) => `${id}:${seq}`).join(',');
  // Past the cap a listener learns only that something changed: it reads the tables anyway.
  return (payload.length > 7000 ? '' : payload).replaceAll("'", "''");
}
