/**
 * Which driver for the Postgres store (issue 16): `pg` or `postgres` (porsager), measured on the
 * same throwaway server the tests start. Three shapes of what the store does: a single-row insert
 * committed on its own, and a write transaction of 8 statements like an admission's (BEGIN, the
 * thread row FOR UPDATE, seq bump, two inserts, an update, a read, COMMIT), each run sequentially
 * and 8 at once (a pool of 8). `pg` is run with unnamed statements and with named (prepared once
 * per connection) ones, which is what the adapter does.
 *
 *   npm install --no-save postgres   # the driver not chosen is not a dependency
 *   node --import tsx bench/drivers/pg-vs-postgres.ts
 */
import pg from 'pg';
import { sharedPostgres } from '../../test/helpers/postgres.js';

const N = Number(process.env.N ?? 2000);
const CONCURRENCY = 8;
// Not a dependency (see above): typed by what this script uses of it.
type Tagged = (strings: TemplateStringsArray, ...values: unknown[]) => Promise<Record<string, number>[]>;
type Porsager = Tagged & { begin(fn: (tx: Tagged) => Promise<void>): Promise<void>; end(): Promise<void> };
const postgres = (await import('postgres' as string)).default as (url: string, options: object) => Porsager;

const server = await sharedPostgres();
const url = await server.createDatabase();
const setup = new pg.Client(url);
await setup.connect();
await setup.query(`CREATE TABLE one (id bigserial PRIMARY KEY, v text NOT NULL);
  CREATE TABLE threads (id text PRIMARY KEY, last_seq int NOT NULL DEFAULT 0, updated_at text);
  CREATE TABLE events (thread_id text NOT NULL, seq int NOT NULL, payload text NOT NULL, PRIMARY KEY (thread_id, seq));
  INSERT INTO threads (id) SELECT 'thr_' || g FROM generate_series(0, ${CONCURRENCY - 1}) g;`);
await setup.end();

type Op = (worker: number, i: number) => Promise<void>;
async function measure(label: string, op: Op): Promise<number> {
  const rows: string[] = [];
  let seqRate = 0;
  for (const workers of [1, CONCURRENCY]) {
    const per = Math.ceil(N / workers);
    const began = performance.now();
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < per; i++) await op(w, i);
    }));
    const ms = performance.now() - began;
    const rate = (per * workers) / (ms / 1000);
    if (workers === 1) seqRate = rate;
    rows.push(`${workers === 1 ? 'sequential' : `${workers} concurrent`}: ${rate.toFixed(0)}/s (${((ms / (per * workers)) * 1000).toFixed(0)} µs/op)`);
  }
  console.log(`${label.padEnd(34)} ${rows.join('   ')}`);
  return seqRate;
}

// ---- pg ----
for (const named of [false, true]) {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  const q = (name: string, text: string, values: unknown[]) => (named ? { name, text, values } : { text, values });
  await measure(`pg ${named ? '(named)' : '(unnamed)'} insert commit`, async (w, i) => {
    await pool.query(q('ins', 'INSERT INTO one (v) VALUES ($1)', [`${w}:${i}`]));
  });
  await measure(`pg ${named ? '(named)' : '(unnamed)'} 8-statement tx`, async (w) => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const id = `thr_${w}`;
      await c.query(q('lock', 'SELECT id FROM threads WHERE id = $1 FOR UPDATE', [id]));
      const seq = (await c.query(q('seq', 'UPDATE threads SET last_seq = last_seq + 2 WHERE id = $1 RETURNING last_seq', [id]))).rows[0].last_seq as number;
      await c.query(q('ev', 'INSERT INTO events (thread_id, seq, payload) VALUES ($1, $2, $3)', [id, seq - 1, '{"a":1}']));
      await c.query(q('ev', 'INSERT INTO events (thread_id, seq, payload) VALUES ($1, $2, $3)', [id, seq, '{"b":2}']));
      await c.query(q('upd', 'UPDATE threads SET updated_at = now()::text WHERE id = $1', [id]));
      await c.query(q('sel', 'SELECT last_seq FROM threads WHERE id = $1', [id]));
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  });
  await pool.end();
}

// ---- postgres (porsager) ----
{
  const sql = postgres(url, { max: CONCURRENCY, onnotice: () => {} });
  await measure('postgres insert commit', async (w, i) => {
    await sql`INSERT INTO one (v) VALUES (${`${w}:${i}`})`;
  });
  await measure('postgres 8-statement tx', async (w) => {
    await sql.begin(async (tx) => {
      const id = `thr_${w}`;
      await tx`SELECT id FROM threads WHERE id = ${id} FOR UPDATE`;
      const seq = (await tx`UPDATE threads SET last_seq = last_seq + 2 WHERE id = ${id} RETURNING last_seq`)[0]!.last_seq!;
      await tx`INSERT INTO events (thread_id, seq, payload) VALUES (${id}, ${seq - 1}, ${'{"a":1}'})`;
      await tx`INSERT INTO events (thread_id, seq, payload) VALUES (${id}, ${seq}, ${'{"b":2}'})`;
      await tx`UPDATE threads SET updated_at = now()::text WHERE id = ${id}`;
      await tx`SELECT last_seq FROM threads WHERE id = ${id}`;
    });
  });
  await sql.end();
}
server.stop();
