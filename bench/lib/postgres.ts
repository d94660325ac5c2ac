import pg from 'pg';
import { startPostgres } from '../../test/helpers/postgres.js';

/**
 * The Postgres server of `npm run bench -- --db postgres[://…]`: a throwaway one started like the
 * tests' (initdb + pg_ctl, fsync off) or the server of a given URL, whose role must be allowed
 * to CREATE DATABASE. Every server a row starts gets a database of its own (dropped at the end),
 * so rows never see each other's threads, leases or owners.
 */
export interface BenchPostgres {
  /** Where the run's databases live, without the password (for the table's heading). */
  readonly where: string;
  /** A new empty database; returns its URL. */
  database(name: string): Promise<string>;
  /** Statements the server ran in `url`'s database so far (pg_stat_statements), or undefined without the extension. */
  statements(url: string): Promise<number | undefined>;
  close(): Promise<void>;
}

async function onDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const withDatabase = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

export async function openBenchPostgres(arg: string): Promise<BenchPostgres> {
  const own = arg === 'postgres' ? await startPostgres() : undefined;
  const adminUrl = own ? `${own.baseUrl}postgres` : arg;
  let stats = false;
  if (own) {
    // Statement counts per operation (the round trips a write costs): pg_stat_statements needs a restart to load.
    try {
      await own.admin("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
      own.pgCtl('restart', '-w', '-m', 'fast');
      await own.admin('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      stats = true;
    } catch {
      // not installed here: the rows run without statement counts
    }
  }
  const created: string[] = [];
  const prefix = `bench_${process.pid}_`;
  const u = new URL(adminUrl);
  u.password = '';
  return {
    where: own ? `a throwaway PostgreSQL (fsync off) on 127.0.0.1:${own.port}` : `${u.toString()}`,
    database: async (name) => {
      const db = `${prefix}${created.length}_${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`.slice(0, 63);
      await onDatabase(adminUrl, (c) => c.query(`CREATE DATABASE ${db}`));
      created.push(db);
      return withDatabase(adminUrl, db);
    },
    statements: async (url) => {
      if (!stats) return undefined;
      const db = new URL(url).pathname.slice(1);
      return onDatabase(adminUrl, async (c) => {
        const { rows } = await c.query<{ n: string | null }>(
          'SELECT sum(calls) AS n FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)',
          [db],
        );
        return Number(rows[0]?.n ?? 0);
      });
    },
    close: async () => {
      if (own) {
        own.stop();
        return;
      }
      await onDatabase(adminUrl, async (c) => {
        for (const db of created) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      });
    },
  };
}
