import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { newThread, within, type OpenStore } from './fixtures.js';

/** How soon another process's commit must be noticed (issue 5: within 100 ms), with slack for a busy machine. */
const NOTICE_MS = 2_000;
/** How long a commit that must not be reported is given to be reported anyway (twice the 100 ms promise, plus slack). */
const QUIET_MS = 300;

export function changeFeedContract(open: OpenStore): void {
  describe('change feed', () => {
    test('another connection’s commit is noticed; this store’s own commits are not', async (t) => {
      const h = await open(t);
      const feed = h.store.changeFeed;
      if (!feed || !h.otherConnection) return t.skip('this adapter has no change feed or no second connection');
      const other = await h.otherConnection();
      let calls = 0;
      let notice: () => void = () => {};
      const unwatch = feed.watch(() => {
        calls++;
        notice();
      });
      t.after(unwatch);

      await h.store.write((tx) => tx.threads.insert(newThread('thr_own')));
      // Nothing can be awaited for "not reported": give it the time a report would take.
      await delay(QUIET_MS);
      assert.equal(calls, 0, 'this store’s own commit was reported');

      const noticed = new Promise<void>((resolve) => (notice = resolve));
      await other.write((tx) => tx.threads.insert(newThread('thr_other')));
      await within(noticed, NOTICE_MS, 'the other connection’s commit was not noticed');
      assert.ok(calls >= 1);
      assert.equal(await h.store.read(async (tx) => (await tx.threads.find('thr_other'))?.id), 'thr_other', 'the noticed commit is readable');
    });

    test('an unsubscribed listener hears nothing more; the others still do', async (t) => {
      const h = await open(t);
      const feed = h.store.changeFeed;
      if (!feed || !h.otherConnection) return t.skip('this adapter has no change feed or no second connection');
      const other = await h.otherConnection();
      let removedCalls = 0;
      const unwatchRemoved = feed.watch(() => removedCalls++);
      const noticed = new Promise<void>((resolve) => t.after(feed.watch(resolve)));
      unwatchRemoved();
      await other.write((tx) => tx.threads.insert(newThread('thr_1')));
      await within(noticed, NOTICE_MS, 'the remaining listener was not called');
      assert.equal(removedCalls, 0);
    });

    test('a stopped feed calls no listener', async (t) => {
      const h = await open(t);
      const feed = h.store.changeFeed;
      if (!feed || !h.otherConnection) return t.skip('this adapter has no change feed or no second connection');
      const other = await h.otherConnection();
      // A control feed on a third connection shows the commit was noticeable.
      const control = (await h.otherConnection()).changeFeed;
      assert.ok(control);
      const noticedByControl = new Promise<void>((resolve) => t.after(control.watch(resolve)));
      let calls = 0;
      feed.watch(() => calls++);
      feed.stop();
      await other.write((tx) => tx.threads.insert(newThread('thr_1')));
      await within(noticedByControl, NOTICE_MS, 'the control feed did not notice the commit');
      await delay(QUIET_MS);
      assert.equal(calls, 0);
    });
  });
}
