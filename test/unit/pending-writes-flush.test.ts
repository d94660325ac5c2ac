import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tx } from '../../src/orchestrator/commit/tx.js';
import { PendingWrites } from '../../src/orchestrator/turns/pending-writes.js';

// A host streaming faster than a commit (a long reply; a Postgres round trip per statement) must
// cause one flush per 64 KiB of text, not one per delta: each flush is a transaction that locks
// the thread and checks the lease, and those that find nothing left to write are pure waste.
test('addDelta asks for a flush once per 64 KiB, until that flush takes what waits; a rolled-back flush is asked for again', async () => {
  const pending = new PendingWrites('thr_1', 'turn_1', () => {});
  const word = 'x'.repeat(99);
  const asks = () => {
    let n = 0;
    for (let i = 0; i < 2000; i++) if (pending.addDelta('item_1', word)) n++; // ~200 KB: over the threshold from word ~660 on
    return n;
  };
  assert.equal(asks(), 1, 'one flush asked for while none has taken the text yet');

  let rollback: (() => void) | undefined;
  const emitted: string[] = [];
  const tx = { now: '', onRollback: (fn: () => void) => (rollback = fn), emit: async (_t: string, _k: string, p: { text: string }) => void emitted.push(p.text) } as unknown as Tx;
  await pending.writeAll(tx);
  assert.equal(emitted.join('').length, 2000 * 99, 'the flush took everything');
  assert.equal(asks(), 1, 'after a flush took the text, the next 64 KiB asks again, once');

  await pending.writeAll(tx);
  rollback!(); // that transaction was refused: its text waits again, and a flush is asked for again
  assert.equal(pending.addDelta('item_1', word), true);
  assert.equal(pending.addDelta('item_1', word), false);
  pending.cancel();
});
