import type { ThreadEvent } from '@threadline/protocol';
import type { Store } from '../../store/port.js';
import type { EventBus } from './event-bus.js';
import { openTx, type Tx } from './tx.js';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface Job {
  fn: (tx: Tx) => unknown;
  settle: (outcome: Outcome) => void;
}

/**
 * Commit, then publish: the jobs run in one write transaction — each in its own savepoint when
 * there are several, so one job's error undoes only its own writes — and their events are handed
 * to the bus only after the commit returned, in seq order. A rollback publishes nothing.
 */
export function runBatch(store: Store, bus: EventBus, jobs: Job[]): void {
  const published: ThreadEvent[][] = jobs.map(() => []);
  const outcomes: Outcome[] = [];
  try {
    store.write((storeTx) => {
      jobs.forEach((job, i) => {
        const events = published[i]!;
        const tx = openTx(storeTx, events);
        if (jobs.length === 1) {
          outcomes.push({ ok: true, value: job.fn(tx) });
          return;
        }
        try {
          outcomes.push({ ok: true, value: storeTx.savepoint(() => job.fn(tx)) });
        } catch (error) {
          events.length = 0;
          outcomes.push({ ok: false, error });
        }
      });
      // A single job that throws rolls the whole transaction back, as it should.
    });
  } catch (error) {
    for (const job of jobs) job.settle({ ok: false, error });
    return;
  }
  for (const events of published) for (const event of events) bus.publish(event);
  jobs.forEach((job, i) => job.settle(outcomes[i]!));
}

/** The synchronous commit: one operation, one transaction, then publish. */
export function createCommitter(store: Store, bus: EventBus) {
  return function commit<T>(fn: (tx: Tx) => T): T {
    let result: Outcome | undefined;
    runBatch(store, bus, [{ fn, settle: (outcome) => (result = outcome) }]);
    if (!result!.ok) throw result!.error;
    return result!.value as T;
  };
}

export type Commit = ReturnType<typeof createCommitter>;
