import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import type { Store } from '../../src/store/port.js';
import { POLL_MS } from '../../src/store/postgres/change-feed.js';
import { PostgresStoreError } from '../../src/store/postgres/errors.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { LATEST_SCHEMA_VERSION } from '../../src/store/postgres/migrations/index.js';
import { sharedPostgres } from '../helpers/postgres.js';
import { at, newAdmission, newOwner, newThread, opener, seedTurn, within, type StoreHarness } from './fixtures.js';

type PgHarness = StoreHarness & { url: string; otherConnection(): Promise<Store> };

/** Runs `fn` on a plain connection to the test's database (what another tool would see). */
async function onDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * What matters most when several servers share one Postgres (issue 16): two stores here are two
 * pools, as two servers on two machines hold them.
 */
export function postgresContract(factory: () => Promise<PgHarness>): void {
  const open = opener(factory) as (t: Parameters<ReturnType<typeof opener>>[0]) => Promise<PgHarness>;
  describe('postgres: many servers on one database', () => {
    test('two stores writing one thread at once: seqs gap-free, no duplicates, transactions never interleave', async (t) => {
      const h = await open(t);
      const other = await h.otherConnection();
      await h.store.write((tx) => tx.threads.insert(newThread('thr_1')));
      const WRITERS = 4;
      const ROUNDS = 15;
      // Each transaction appends two events: interleaved transactions would split a pair.
      const writer = (store: Store, name: string) => async () => {
        for (let i = 0; i < ROUNDS; i++) {
          await store.write(async (tx) => {
            for (const half of [0, 1]) {
              await tx.events.append({ threadId: 'thr_1', seq: await tx.threads.nextSeq('thr_1'), kind: 'k', payload: { name, i, half }, time: tx.now });
            }
          });
        }
      };
      const writers = [h.store, other].flatMap((store, s) => Array.from({ length: WRITERS }, (_, w) => writer(store, `s${s}w${w}`)));
      await Promise.all(writers.map((run) => run()));
      const total = writers.length * ROUNDS * 2;
      const events = await h.store.read((tx) => tx.events.page('thr_1', 0, total + 10));
      assert.deepStrictEqual(events.map((e) => e.seq), Array.from({ length: total }, (_, i) => i + 1));
      assert.equal(await other.read((tx) => tx.threads.lastSeq('thr_1')), total);
      const payloads = events.map((e) => e.payload as unknown as { name: string; i: number; half: number });
      for (let k = 0; k < total; k += 2) {
        assert.deepStrictEqual([payloads[k]!.name, payloads[k]!.i, payloads[k]!.half, payloads[k + 1]!.half], [payloads[k + 1]!.name, payloads[k + 1]!.i, 0, 1]);
      }
      assert.equal(new Set(payloads.map((p) => `${p.name}/${p.i}/${p.half}`)).size, total, 'an event was written twice');
    });

    test('markPromoted is exactly-once when two stores promote from one inbox at once', async (t) => {
      const h = await open(t);
      const other = await h.otherConnection();
      const N = 20;
      await h.store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        for (let i = 1; i <= N; i++) await tx.admissions.insert(newAdmission(`inp_${i}`, 'thr_1', i));
      });
      // The orchestrator's shape: read the oldest pending, allocate a seq, promote it.
      const promoteAll = async (store: Store, name: string) => {
        const won: string[] = [];
        for (;;) {
          const got = await store.write(async (tx) => {
            const oldest = await tx.admissions.findOldestPending('thr_1');
            if (!oldest) return undefined;
            const seq = await tx.threads.nextSeq('thr_1');
            return (await tx.admissions.markPromoted(oldest.admission.id, seq, `turn_${name}_${seq}`)) ? oldest.admission.id : 'lost';
          });
          if (got === undefined) return won;
          won.push(got);
        }
      };
      const results = await Promise.all([promoteAll(h.store, 'a'), promoteAll(other, 'b'), promoteAll(h.store, 'c'), promoteAll(other, 'd')]);
      const all = results.flat();
      assert.ok(!all.includes('lost'), 'a transaction saw a pending admission another had promoted');
      assert.deepStrictEqual([...all].sort(), Array.from({ length: N }, (_, i) => `inp_${i + 1}`).sort());
      assert.deepStrictEqual(await h.store.read(async (tx) => [await tx.admissions.countPending('thr_1'), (await tx.threads.find('thr_1'))?.queuedCount]), [0, 0]);

      // The same admission promoted by both at once: one gets it promoted, the other nothing.
      await h.store.write((tx) => tx.admissions.insert(newAdmission('inp_race', 'thr_1', 100)));
      const race = await Promise.all([h.store, other].map((store, i) => store.write((tx) => tx.admissions.markPromoted('inp_race', 200 + i, `turn_race_${i}`))));
      assert.deepStrictEqual(race.map((a) => a?.state ?? 'none').sort(), ['none', 'promoted']);
    });

    test('tx.now is the database’s clock, not this process’s', async (t) => {
      const h = await open(t);
      const real = Date.now();
      // This process's clock says 2001; the server's does not.
      t.mock.timers.enable({ apis: ['Date'], now: Date.UTC(2001, 0, 1) });
      const now = await h.store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1', { now: tx.now }));
        return tx.now;
      });
      t.mock.timers.reset();
      assert.match(now, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(now) - real) < 60_000, `tx.now ${now} is not the server's time`);
      const dbNow = await onDatabase(h.url, async (c) => (await c.query<{ now: Date }>('SELECT now()')).rows[0]!.now.getTime());
      assert.ok(Math.abs(dbNow - Date.parse(now)) < 60_000);
    });

    test('a connection killed mid-transaction: a retryable error, nothing half-written, the next call works', async (t) => {
      const h = await open(t);
      await h.store.write((tx) => tx.threads.insert(newThread('thr_1')));
      const error = await h.store
        .write(async (tx) => {
          await tx.events.append({ threadId: 'thr_1', seq: await tx.threads.nextSeq('thr_1'), kind: 'k', payload: {}, time: at(1) });
          await onDatabase(h.url, (c) => c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'));
          await tx.threads.nextSeq('thr_1');
        })
        .then(() => assert.fail('the write succeeded on a killed connection'), (e: unknown) => e);
      assert.ok(error instanceof PostgresStoreError, `not a PostgresStoreError: ${String(error)}`);
      assert.equal(error.retryable, true, `${error.code}: ${error.message}`);
      const password = new URL(h.url).password;
      assert.ok(!error.message.includes(password), 'the password is in the message');
      assert.equal(await h.store.read((tx) => tx.threads.lastSeq('thr_1')), 0, 'the killed transaction left a write');
      assert.equal(await h.store.write((tx) => tx.threads.nextSeq('thr_1')), 1);
    });

    test('location is the URL without its password; wrong credentials fail without showing them', async (t) => {
      const h = await open(t);
      const url = new URL(h.url);
      assert.ok(!h.store.location.includes(url.password));
      assert.equal(h.store.location, h.url.replace(`:${url.password}@`, '@'));
      const wrong = new URL(h.url);
      wrong.password = 'wrong-secret-pw';
      const error = await openPostgresStore(wrong.toString()).then(() => assert.fail('opened with a wrong password'), (e: unknown) => e as PostgresStoreError);
      assert.ok(error instanceof PostgresStoreError);
      assert.equal(error.retryable, false);
      assert.ok(!error.message.includes('wrong-secret-pw'), error.message);
    });

    test('a commit that notified no one is still noticed, by the poll', async (t) => {
      const h = await open(t);
      const feed = h.store.changeFeed!;
      let notice: () => void = () => {};
      const noticed = new Promise<void>((resolve) => (notice = resolve));
      t.after(feed.watch(() => notice()));
      // Wait out one poll so the feed holds a fingerprint to compare with.
      await new Promise((resolve) => setTimeout(resolve, POLL_MS + 200));
      // Another tool's write: no NOTIFY, as when a notification is lost.
      await onDatabase(h.url, (c) =>
        c.query("INSERT INTO threads (id, title, auto_approve, trust_mode, metadata, created_at, updated_at) VALUES ('thr_raw', 't', false, false, '{}', $1, $1)", [at(0)]),
      );
      await within(noticed, 3 * POLL_MS + 1000, 'the poll did not notice the commit');
      assert.equal(await h.store.read(async (tx) => (await tx.threads.find('thr_raw'))?.id), 'thr_raw');
    });

    test('the server restarting: calls fail retryable or succeed, the store reconnects, the feed hears again', async (t) => {
      const h = await open(t);
      const other = await h.otherConnection();
      await h.store.write((tx) => tx.threads.insert(newThread('thr_1')));
      (await sharedPostgres()).pgCtl('restart', '-m', 'immediate', '-w');
      // A pooled connection may not know yet that it died: that call fails, retryable, and the next works.
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const result = await h.store.write((tx) => tx.threads.nextSeq('thr_1')).then(
          (seq) => `seq ${seq}`,
          (e: unknown) => (e instanceof PostgresStoreError && e.retryable ? 'retryable' : `fatal: ${String(e)}`),
        );
        outcomes.push(result);
        if (result.startsWith('seq')) break;
      }
      assert.match(outcomes.at(-1)!, /^seq 1$/, outcomes.join(', '));
      assert.ok(outcomes.slice(0, -1).every((o) => o === 'retryable'), outcomes.join(', '));
      // The listening connection died too: it comes back and hears the other server's commits.
      let notice: () => void = () => {};
      const noticed = new Promise<void>((resolve) => (notice = resolve));
      t.after(h.store.changeFeed!.watch(() => notice()));
      await other.write((tx) => tx.threads.nextSeq('thr_1')).catch(() => other.write((tx) => tx.threads.nextSeq('thr_1')));
      await within(noticed, 5_000, 'the feed did not hear a commit after the restart');
    });

    test('a server frozen mid-transaction holds its thread only until the timeouts: others fail retryable, then go on', async (t) => {
      const h = await open(t);
      const fast = { lockTimeoutMs: 300, idleInTransactionTimeoutMs: 1_500 };
      const frozen = await openPostgresStore(h.url, fast);
      const other = await openPostgresStore(h.url, fast);
      // The frozen write never ends, so its pool never drains: its close is not waited for.
      t.after(async () => {
        void frozen.close();
        await other.close();
      });
      await h.store.write((tx) => tx.threads.insert(newThread('thr_1')));
      // The frozen server locked the thread and then never went on (as under SIGSTOP).
      let locked: () => void = () => {};
      const holding = new Promise<void>((resolve) => (locked = resolve));
      const never = new Promise<void>(() => {});
      const frozenWrite = frozen.write(async (tx) => {
        await tx.threads.nextSeq('thr_1');
        locked();
        await never;
      });
      void frozenWrite.catch(() => {});
      await holding;
      const blocked = await other.write((tx) => tx.threads.nextSeq('thr_1')).then(
        () => assert.fail('wrote through another transaction’s lock'),
        (e: unknown) => e as PostgresStoreError,
      );
      assert.ok(blocked instanceof PostgresStoreError && blocked.retryable, String(blocked));
      assert.equal(blocked.code, '55P03');
      // The server ends the idle transaction (its writes roll back) and the thread is free again.
      const started = Date.now();
      let seq: number | undefined;
      while (seq === undefined && Date.now() - started < 10_000) {
        seq = await other.write((tx) => tx.threads.nextSeq('thr_1')).catch(() => undefined);
      }
      assert.equal(seq, 1, 'the frozen transaction’s seq was kept, or the thread stayed locked');
    });

    test('a heartbeat renews at once the leases whose thread nobody is writing, and skips one another server has locked', async (t) => {
      const h = await open(t);
      const other = await openPostgresStore(h.url);
      t.after(() => other.close());
      await h.store.write(async (tx) => {
        await tx.owners.upsert(newOwner('own_1'));
        for (const [thread, turn] of [['thr_a', 'turn_a'], ['thr_b', 'turn_b']] as const) {
          await seedTurn(tx, thread, turn);
          await tx.threads.setRunningTurn(thread, turn, at(1), { owner: 'own_1', expiresAt: at(10) });
        }
      });
      // Another server is in the middle of a write to thr_a (its row lock held).
      let locked: () => void = () => {};
      let finish: () => void = () => {};
      const holding = new Promise<void>((resolve) => (locked = resolve));
      const done = new Promise<void>((resolve) => (finish = resolve));
      const writing = other.write(async (tx) => {
        await tx.threads.nextSeq('thr_a');
        locked();
        await done;
      });
      await holding;
      const started = Date.now();
      await h.store.write((tx) => tx.owners.renewLeases('own_1', at(30)));
      const waited = Date.now() - started;
      finish();
      await writing;
      assert.ok(waited < 2_000, `the heartbeat waited ${waited} ms for another server's lock (lock_timeout 5 s)`);
      const expiry = async (id: string) => (await h.store.read((tx) => tx.owners.threadLease(id, at(20))))?.expiresAt;
      assert.equal(await expiry('thr_b'), at(30));
      assert.equal(await expiry('thr_a'), at(10), 'the busy row keeps its expiry until the next heartbeat');
      await h.store.write((tx) => tx.owners.renewLeases('own_1', at(40)));
      assert.equal(await expiry('thr_a'), at(40));
    });

    test('a newer schema is refused untouched; two stores migrating a new database at once both open', async (t) => {
      const server = await sharedPostgres();
      const url = await server.createDatabase();
      const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url), openPostgresStore(url)]);
      t.after(() => Promise.all(stores.map((s) => s.close())));
      await stores[0]!.write((tx) => tx.threads.insert(newThread('thr_1')));
      assert.equal(await stores[2]!.read(async (tx) => (await tx.threads.find('thr_1'))?.id), 'thr_1');
      await onDatabase(url, (c) => c.query('UPDATE schema_version SET version = 99'));
      await assert.rejects(openPostgresStore(url), new RegExp(`schema version 99 is newer than this Threadline supports \\(${LATEST_SCHEMA_VERSION}\\)`));
      assert.equal(await onDatabase(url, async (c) => (await c.query('SELECT version FROM schema_version')).rows[0].version), 99);
    });
  });
}
