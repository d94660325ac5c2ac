import { describe, test } from 'node:test';
import pg from 'pg';
import type { Store } from '../../src/store/port.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { inCi, postgresMissing, sharedPostgres } from '../helpers/postgres.js';
import { describeStoreContract } from './contract.js';
import { postgresContract } from './postgres-only.js';

/**
 * The store contract against the Postgres adapter on a real server (test/helpers/postgres.ts):
 * each test starts from an empty database. A second
 * connection is a second store with its own pool, as another server (or machine) opens it.
 */
const missing = postgresMissing();
if (missing && inCi()) throw new Error(`${missing}: CI must run the Postgres store tests (.ci/run installs it)`);

if (missing) {
  describe('store contract: postgres', () => {
    test(`skipped: ${missing}`, (t) => t.skip(missing));
  });
} else {
  let database: Promise<string> | undefined;
  /**
   * One database for the whole file, migrated once and emptied before each test (tests in a file
   * run one after another): CREATE DATABASE costs a second or more on a busy machine, TRUNCATE
   * a few milliseconds.
   */
  const emptyDatabase = async (): Promise<string> => {
    database ??= (async () => {
      const url = await (await sharedPostgres()).createDatabase();
      await (await openPostgresStore(url)).close();
      return url;
    })();
    const url = await database;
    const client = new pg.Client(url);
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version'",
      );
      await client.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY CASCADE`);
    } finally {
      await client.end();
    }
    return url;
  };

  const factory = async () => {
    const url = await emptyDatabase();
    const opened: Store[] = [];
    const open = async (): Promise<Store> => {
      const store = await openPostgresStore(url, { poolSize: 4 });
      opened.push(store);
      return store;
    };
    const store = await open();
    return {
      store,
      url,
      reopen: async () => {
        await store.close();
        return open();
      },
      otherConnection: open,
      cleanup: async () => {
        for (const s of opened) await s.close();
      },
    };
  };
  describeStoreContract('postgres', factory);
  postgresContract(factory);
}
