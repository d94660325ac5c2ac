import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ThreadEvent } from '@threadline/protocol';
import { EventSequencer } from '../../protocol/event-sequencer.js';

/** A minimal event: the sequencer only looks at `threadId` and `seq`. */
function ev(threadId: string, seq: number): ThreadEvent {
  return {
    seq,
    threadId,
    turnId: 'turn_1',
    itemId: 'item_1',
    kind: 'item.delta',
    payload: { itemId: 'item_1', text: `${threadId}:${seq}` },
    time: '2026-01-01T00:00:00.000Z',
  };
}

const seqs = (events: ThreadEvent[], threadId?: string) =>
  events.filter((e) => threadId === undefined || e.threadId === threadId).map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A fake `thread/events`: each call waits until the test answers it from `log`. */
class FakeLog {
  readonly calls: { threadId: string; afterSeq: number; limit: number; answer: () => void; fail: (e: Error) => void }[] = [];
  private waiter: (() => void) | undefined;

  constructor(readonly lastSeq: Record<string, number>) {}

  readonly fetch = (threadId: string, afterSeq: number, limit: number): Promise<{ events: ThreadEvent[] }> =>
    new Promise((resolve, reject) => {
      const last = this.lastSeq[threadId] ?? 0;
      const events = range(afterSeq + 1, Math.min(last, afterSeq + limit)).map((seq) => ev(threadId, seq));
      this.calls.push({ threadId, afterSeq, limit, answer: () => resolve({ events }), fail: reject });
      this.waiter?.();
    });

  /** Resolves once the n-th call (1-based) was made. */
  async call(n: number) {
    while (this.calls.length < n) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.calls[n - 1]!;
  }
}

/** Lets the sequencer's awaited fetch continuation run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(lastSeq: Record<string, number> = {}, pageLimit = 10_000) {
  const log = new FakeLog(lastSeq);
  const delivered: ThreadEvent[] = [];
  const sequencer = new EventSequencer(log.fetch, (e) => delivered.push(e), pageLimit);
  return { log, delivered, sequencer };
}

test('events in order are delivered at once, in order, without a fetch', () => {
  const { log, delivered, sequencer } = setup();
  for (const seq of range(1, 5)) {
    sequencer.push(ev('thr_a', seq));
    assert.equal(delivered.length, seq, 'delivered synchronously');
  }
  assert.deepEqual(seqs(delivered), range(1, 5));
  assert.equal(log.calls.length, 0);
});

test('the first event seen starts the sequence: nothing before it is fetched', () => {
  const { log, delivered, sequencer } = setup({ thr_a: 9 });
  sequencer.push(ev('thr_a', 7));
  sequencer.push(ev('thr_a', 8));
  assert.deepEqual(seqs(delivered), [7, 8]);
  assert.equal(log.calls.length, 0);
});

test('duplicates (seq at or below the last delivered) are dropped', () => {
  const { log, delivered, sequencer } = setup();
  for (const seq of [1, 2, 2, 1, 3, 3, 2, 4]) sequencer.push(ev('thr_a', seq));
  assert.deepEqual(seqs(delivered), [1, 2, 3, 4]);
  assert.equal(log.calls.length, 0);
});

test('a seq jump is filled from the log, in order, before the event that revealed it', async () => {
  const { log, delivered, sequencer } = setup({ thr_a: 10 });
  sequencer.push(ev('thr_a', 1));
  sequencer.push(ev('thr_a', 2));
  sequencer.push(ev('thr_a', 6));
  assert.deepEqual(seqs(delivered), [1, 2], 'nothing after the gap before it is filled');
  const call = await log.call(1);
  assert.deepEqual({ threadId: call.threadId, afterSeq: call.afterSeq, limit: call.limit }, { threadId: 'thr_a', afterSeq: 2, limit: 10_000 });
  call.answer();
  await settle();
  // The page ran to the log's end (10); the live 6 is a duplicate by then.
  assert.deepEqual(seqs(delivered), range(1, 10));
  assert.equal(log.calls.length, 1);
  sequencer.push(ev('thr_a', 7));
  sequencer.push(ev('thr_a', 11));
  assert.deepEqual(seqs(delivered), range(1, 11));
  // The delivered events are the fetched ones, each exactly once.
  assert.deepEqual(delivered.map((e) => (e.payload as { text: string }).text), range(1, 11).map((s) => `thr_a:${s}`));
});

test('a gap larger than a page is fetched page after page', async () => {
  const { log, delivered, sequencer } = setup({ thr_a: 25 }, 10);
  sequencer.push(ev('thr_a', 1));
  sequencer.push(ev('thr_a', 25));
  for (const [n, afterSeq] of [[1, 1], [2, 11], [3, 21]] as const) {
    const call = await log.call(n);
    assert.equal(call.afterSeq, afterSeq);
    call.answer();
  }
  await settle();
  assert.deepEqual(seqs(delivered), range(1, 25));
  assert.equal(log.calls.length, 3);
});

test('events arriving during the fetch are held, then delivered or dropped in order', async () => {
  const { log, delivered, sequencer } = setup({ thr_a: 6 });
  sequencer.push(ev('thr_a', 1));
  sequencer.push(ev('thr_a', 4)); // reveals the gap 2..3
  const call = await log.call(1);
  // While the page is on its way: more live events, out of order and with a duplicate,
  // including ones past what the page will return (the log had 6 when it was read).
  for (const seq of [5, 3, 9, 7, 8, 5]) sequencer.push(ev('thr_a', seq));
  assert.deepEqual(seqs(delivered), [1], 'all held while the gap is open');
  call.answer();
  await settle();
  assert.deepEqual(seqs(delivered), range(1, 9));
  assert.equal(log.calls.length, 1);
  sequencer.push(ev('thr_a', 10));
  assert.deepEqual(seqs(delivered), range(1, 10), 'back to synchronous delivery');
});

test('a second gap among the held events is fetched too', async () => {
  const { log, delivered, sequencer } = setup({ thr_a: 4 });
  sequencer.push(ev('thr_a', 1));
  sequencer.push(ev('thr_a', 3));
  const first = await log.call(1);
  sequencer.push(ev('thr_a', 8)); // 5..7 were skipped too, and are not in the first page
  log.lastSeq.thr_a = 8;
  first.answer(); // answers 2..4, read before 5..8 were written
  const second = await log.call(2);
  assert.equal(second.afterSeq, 4);
  assert.deepEqual(seqs(delivered), range(1, 4));
  second.answer();
  await settle();
  assert.deepEqual(seqs(delivered), range(1, 8));
});

test('threads are sequenced independently: a gap in one holds back no other', async () => {
  const { log, delivered, sequencer } = setup({ thr_a: 5, thr_b: 4 });
  sequencer.push(ev('thr_a', 1));
  sequencer.push(ev('thr_b', 1));
  sequencer.push(ev('thr_a', 4)); // gap in a
  sequencer.push(ev('thr_b', 2));
  sequencer.push(ev('thr_b', 2)); // duplicate in b
  sequencer.push(ev('thr_c', 3)); // c starts at 3
  sequencer.push(ev('thr_a', 5)); // held
  sequencer.push(ev('thr_b', 4)); // gap in b while a's is open
  sequencer.push(ev('thr_c', 4));
  assert.deepEqual(seqs(delivered, 'thr_a'), [1]);
  assert.deepEqual(seqs(delivered, 'thr_b'), [1, 2]);
  assert.deepEqual(seqs(delivered, 'thr_c'), [3, 4]);
  const a = await log.call(1);
  const b = await log.call(2);
  assert.deepEqual([a.threadId, a.afterSeq, b.threadId, b.afterSeq], ['thr_a', 1, 'thr_b', 2]);
  b.answer(); // b's page comes back first
  await settle();
  assert.deepEqual(seqs(delivered, 'thr_b'), range(1, 4));
  assert.deepEqual(seqs(delivered, 'thr_a'), [1]);
  a.answer();
  await settle();
  assert.deepEqual(seqs(delivered, 'thr_a'), range(1, 5));
  assert.equal(log.calls.length, 2);
});

test('a gap that cannot be filled (the fetch fails) lets the held events through after it', async () => {
  const { log, delivered, sequencer } = setup({ thr_a: 6 });
  sequencer.push(ev('thr_a', 1));
  sequencer.push(ev('thr_a', 4));
  sequencer.push(ev('thr_a', 5));
  (await log.call(1)).fail(new Error('thread not found'));
  await settle();
  assert.deepEqual(seqs(delivered), [1, 4, 5]);
  sequencer.push(ev('thr_a', 6));
  sequencer.push(ev('thr_a', 3));
  assert.deepEqual(seqs(delivered), [1, 4, 5, 6]);
});

test('a page that does not continue the sequence does not make it fetch forever', async () => {
  const { log, delivered, sequencer } = setup({ thr_a: 1 }); // the log lacks 2..3
  sequencer.push(ev('thr_a', 1));
  sequencer.push(ev('thr_a', 4));
  (await log.call(1)).answer();
  await settle();
  assert.deepEqual(seqs(delivered), [1, 4]);
  assert.equal(log.calls.length, 1);
});
