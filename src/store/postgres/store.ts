import pg from 'pg';
import type { ReadTx, Store, WriteTx } from '../port.js';
import { CHANNEL, NotifyFeed } from './change-feed.js';
import { NO_LOCKS, sqlOn, TYPES, writeLocks, type Ctx } from './db.js';
import { PostgresStoreError, toStoreError } from './errors.js';
import { transactions } from './pool.js';
import { secretsOf, withoutPassword } from './location.js';
import { checkSchema, migrate, NewerSchemaError, OlderSchemaError } from './migrate.js';
import { admissionTable } from './tables/admissions.js';
import { clientRequestTable } from './tables/client-requests.js';
import { eventTable } from './tables/events.js';
import { itemTable } from './tables/items.js';
import { ownerTable } from './tables/owners.js';
import { approvalRuleTable } from './tables/approval-rules.js';
import { reportTable } from './tables/reports.js';
import { routingTable } from './tables/routing.js';
import { threadTable } from './tables/threads.js';
import { turnTable } from './tables/turns.js';

export interface PostgresOptions {
  /** Connections of the pool: concurrent transactions of this server (default 10). */
  poolSize?: number;
  /** How long a connection attempt or a pooled connection is waited for (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * How long a statement waits for another transaction's row lock (a thread another server is
   * writing) before failing retryable, as SQLite's busy timeout does (default 5 s).
   */
  lockTimeoutMs?: number;
  /**
   * How long the server lets a transaction sit idle before it ends the session (default 15 s):
   * a frozen or partitioned server's open transaction must not hold its threads' locks forever.
   */
  idleInTransactionTimeoutMs?: number;
  /**
   * `serve --read-only`: no migration (a schema of another version is refused), every session's
   * transactions read-only on the server too, and `write` rejects at once, non-retryable.
   */
  readOnly?: boolean;
}

const tablesOf = (ctx: Ctx) => {
  const threads = threadTable(ctx);
  return {
    threads,
    turns: turnTable(ctx),
    items: itemTable(ctx),
    admissions: admissionTable(ctx),
    events: eventTable(ctx),
    clientRequests: clientRequestTable(ctx),
    routing: routingTable(ctx),
    owners: ownerTable(ctx, threads), // reads a thread's lease with its row
    reports: reportTable(ctx),
    approvalRules: approvalRuleTable(ctx),
  };
};

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
    lock_timeout: options.lockTimeoutMs ?? 5_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 15_000,
    // Read-only: the server itself refuses a write in any session of ours (LISTEN is still allowed).
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  };
  const { pool, ownBackends, connect, transaction } = transactions(config, options.poolSize ?? 10, secrets);

  try {
    const client = await connect();
    try {
      if (options.readOnly) await checkSchema(client);
      else await migrate(client);
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw error instanceof NewerSchemaError || error instanceof OlderSchemaError ? error : toStoreError(error, secrets);
  }

  const feed = new NotifyFeed(config, ownBackends);
  try {
    await feed.start();
  } catch (error) {
    await pool.end().catch(() => {});
    throw toStoreError(error, secrets);
  }
  return {
    write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
      // 25006 read_only_sql_transaction: what the server would answer, without a round trip.
      if (options.readOnly) return Promise.reject(new PostgresStoreError('the database is open read-only (serve --read-only)', '25006', false));
      /** What to notify: thread ids whose seq moved, with their last seq in this transaction. */
      const seqs = new Map<string, number>();
      let wrote = () => false;
      let settle = async () => {};
      return transaction(
        'BEGIN ISOLATION LEVEL READ COMMITTED',
        async (client, now) => {
          const sql = sqlOn(client, secrets);
          wrote = () => sql.wrote;
          settle = () => sql.settle();
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
            // Both sent, not awaited: a failed SAVEPOINT makes `inner`'s first statement fail. Only
            // when `inner` left sent statements unchecked is RELEASE waited for, so that their
            // error rolls back `inner` alone.
            sql.send(`SAVEPOINT ${name}`);
            try {
              const value = await inner();
              const check = sql.unsettled;
              sql.send(`RELEASE SAVEPOINT ${name}`);
              if (check) await sql.settle();
              return value;
            } catch (error) {
              await sql.settle().catch(() => {}); // what `inner` sent and nobody checked is rolled back with it
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
        () => settle(),
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
