import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes } from '@threadline/protocol';
import { createHost } from '../../src/host/echo.js';
import { createLogger } from '../../src/log.js';
import { createOrchestrator } from '../../src/orchestrator/api.js';
import { NO_PEER } from '../../src/orchestrator/turns/peer.js';
import { toThreadlineError } from '../../src/rpc/errors.js';
import { openStore } from '../../src/store/open.js';
import { PostgresStoreError } from '../../src/store/postgres/errors.js';
import type { ReadTx, Store } from '../../src/store/port.js';

// Issue 16: the database goes away right after a turn's start commits (`pg_ctl restart -m
// immediate`), so the engine cannot load the thread's history. That is the database's failure,
// not the host's: the call is answered -32030 with the store's `retryable` (as any refused call
// is), not -32020; the turn still ends `failed` once the database answers again.

/** A store whose reads of a thread's history fail while `failing` (the database went away). */
function storeLosingHistory(inner: Store, error: () => unknown) {
  const state = { failing: false };
  const wrapTx = (tx: ReadTx): ReadTx =>
    new Proxy(tx, {
      get: (target, key) =>
        key === 'items'
          ? new Proxy(target.items, {
              get: (items, name) =>
                name === 'listHistory' && state.failing ? () => Promise.reject(error()) : Reflect.get(items, name, items),
            })
          : Reflect.get(target, key, target),
    });
  const store: Store = {
    write: (fn) => inner.write(fn),
    read: (fn) => inner.read((tx) => fn(wrapTx(tx))),
    location: inner.location,
    close: () => inner.close(),
  };
  return { store, state };
}

const silent = createLogger('error', () => undefined);

async function startWhileHistoryFails(t: { after: (fn: () => Promise<void>) => void }, error: () => unknown) {
  const { store, state } = storeLosingHistory(openStore(':memory:', 'normal'), error);
  const orchestrator = createOrchestrator({
    store,
    host: () => Promise.resolve(createHost({}, {} as never)),
    hostName: 'echo',
    hostSupportsSteer: true,
    maxQueued: 10,
    maxItemBytes: 1 << 20,
    maxPromptBytes: 1 << 20,
    maxLoadedEngines: 4,
    approvalTimeoutMs: 60_000,
    leaseTtlMs: 60_000,
    log: silent,
  });
  t.after(async () => {
    await orchestrator.shutdown();
    await store.close();
  });
  await orchestrator.recover();
  const { thread } = await orchestrator.createThread({ title: 'history lost' } as never);
  state.failing = true;
  const failure = await orchestrator.startTurn({ threadId: thread.id, prompt: 'hello' } as never, NO_PEER).then(
    () => assert.fail('the turn started although its history could not be read'),
    (e: unknown) => e,
  );
  state.failing = false;
  const answered = toThreadlineError(failure, silent, 'thread/startTurn');
  const turns = (await orchestrator.getThread({ threadId: thread.id, includeTurns: true } as never)).turns ?? [];
  return { answered, turns };
}

test('a retryable store error while the engine loads its history is answered -32030 retryable, and the turn ends failed', async (t) => {
  const { answered, turns } = await startWhileHistoryFails(t, () => new PostgresStoreError('Connection terminated unexpectedly', 'UNKNOWN', true));
  assert.equal(answered.code, ErrorCodes.StorageError, `${answered.code} ${answered.message}`);
  assert.equal((answered.data as { retryable?: unknown }).retryable, true);
  assert.match(answered.message, /Connection terminated unexpectedly/);
  assert.deepEqual(turns.map((turn) => turn.status), ['failed']);
  assert.match(String(turns[0]?.error), /^storage error: .*Connection terminated unexpectedly/);
});

test('a SQLite refusal while the engine loads its history is answered -32030 with its own retryable', async (t) => {
  const busy = () => Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' });
  const { answered, turns } = await startWhileHistoryFails(t, busy);
  assert.equal(answered.code, ErrorCodes.StorageError, `${answered.code} ${answered.message}`);
  assert.equal((answered.data as { retryable?: unknown }).retryable, true);
  assert.deepEqual(turns.map((turn) => turn.status), ['failed']);
});
