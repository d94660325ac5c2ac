import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Store, WriteTx } from '../../src/store/port.js';
import { PostgresStoreError } from '../../src/store/postgres/errors.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { inCi, postgresMissing, sharedPostgres } from '../helpers/postgres.js';
import { at, newThread } from './fixtures.js';

/**
 * The Postgres adapter sends the statements whose result nobody reads (locks, event inserts,
 * counters) without waiting for them, and allocates seqs it already knows without a round trip
 * (src/store/postgres/db.ts). What that must not change: a failed statement still fails its
 * write (or only its savepoint), with its own error, and commits nothing of it.
 */
const missing = postgresMissing();
if (missing && inCi()) throw new Error(`${missing}: CI must run the Postgres store tests`);

const event = (threadId: string, seq: number) => ({ threadId, seq, kind: 'thread.updated' as const, payload: { title: 't' } as never, time: at(seq) });
const isDuplicate = (error: unknown) => error instanceof PostgresStoreError && error.code === '23505' && !error.retryable;

describe('postgres: statements sent without waiting', { skip: missing }, () => {
  let store: Store;
  let n = 0;
  before(async () => {
    store = await openPostgresStore(await (await sharedPostgres()).createDatabase(), { poolSize: 2 });
  });
  after(() => store?.close());

  /** A new thread with one event (seq 1). */
  const threadWithOneEvent = async (): Promise<string> => {
    const id = `thr_p${++n}`;
    await store.write(async (tx) => {
      await tx.threads.insert(newThread(id));
      await tx.events.append(event(id, await tx.threads.nextSeq(id)));
    });
    return id;
  };
  const state = (id: string) =>
    store.read(async (tx) => ({ lastSeq: await tx.threads.lastSeq(id), seqs: (await tx.events.page(id, 0, 100)).map((e) => e.seq) }));

  test('a sent insert that fails as the last statement fails the write at COMMIT: nothing of it is kept', async () => {
    const id = await threadWithOneEvent();
    await assert.rejects(
      store.write(async (tx: WriteTx) => {
        await tx.threads.find(id); // the last seq is known now: the next seq is sent, not awaited
        assert.equal(await tx.threads.nextSeq(id), 2);
        await tx.events.append(event(id, 1)); // a duplicate, sent
      }),
      isDuplicate,
    );
    assert.deepStrictEqual(await state(id), { lastSeq: 1, seqs: [1] });
    assert.equal(await store.write((tx) => tx.threads.nextSeq(id)), 2, 'the seq was not kept: no gap');
  });

  test('the next awaited call throws the sent statement’s own error, not “transaction aborted”', async () => {
    const id = await threadWithOneEvent();
    let thrown: unknown;
    await assert.rejects(
      store.write(async (tx) => {
        await tx.events.append(event(id, 1)); // sent
        try {
          await tx.threads.find(id);
        } catch (error) {
          thrown = error;
          throw error;
        }
      }),
    );
    assert.ok(isDuplicate(thrown), `thrown by find: ${String(thrown)}`);
    assert.deepStrictEqual(await state(id), { lastSeq: 1, seqs: [1] });
  });

  test('a sent insert failing in a savepoint rolls back the savepoint only; its seq is given out again', async () => {
    const id = await threadWithOneEvent();
    await store.write(async (tx) => {
      await tx.threads.find(id);
      await tx.events.append(event(id, await tx.threads.nextSeq(id))); // 2, all sent
      await assert.rejects(
        tx.savepoint(async () => {
          await tx.events.append(event(id, await tx.threads.nextSeq(id))); // 3, sent
          await tx.events.append(event(id, 1)); // a duplicate, sent: RELEASE must find it
        }),
        isDuplicate,
      );
      const seq = await tx.threads.nextSeq(id);
      assert.equal(seq, 3, 'the savepoint’s seq is given out again');
      await tx.events.append(event(id, seq));
    });
    assert.deepStrictEqual(await state(id), { lastSeq: 3, seqs: [1, 2, 3] });
  });

  test('two stores appending to one thread, each event after a read of the thread: seqs gap-free, no duplicates', async () => {
    const id = await threadWithOneEvent();
    const other = await openPostgresStore(await storeUrl(), { poolSize: 2 }); // as another server
    try {
      const append = (s: Store) =>
        s.write(async (tx) => {
          await tx.threads.find(id);
          const seqs = [await tx.threads.nextSeq(id), await tx.threads.nextSeq(id)];
          for (const seq of seqs) await tx.events.append(event(id, seq));
          return seqs;
        });
      const got = (await Promise.all(Array.from({ length: 20 }, (_, i) => append(i % 2 ? other : store)))).flat();
      assert.deepStrictEqual([...got].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 2));
      assert.deepStrictEqual(await state(id), { lastSeq: 41, seqs: Array.from({ length: 41 }, (_, i) => i + 1) });
    } finally {
      await other.close();
    }
  });

  /** The database `store` is on (its location has no password: take the shared server's). */
  async function storeUrl(): Promise<string> {
    const server = await sharedPostgres();
    return `${server.baseUrl}${new URL(store.location).pathname.slice(1)}`;
  }
});
