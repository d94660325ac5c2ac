import type { ThreadEvent } from '@threadline/protocol';
import type { Store } from '../../store/port.js';
import { storeConflict } from '../../store/store-errors.js';
import type { EventBus } from './event-bus.js';
import { openTx, type Tx } from './tx.js';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface Job {
  fn: (tx: Tx) => Promise<unknown>;
  settle: (outcome: Outcome) => void;
}

/** Runs of one batch the database may abort as a conflict's loser before its jobs get the error. */
const CONFLICT_ATTEMPTS = 4;

/**
 * Commit, then publish: the jobs run in one write transaction — each in its own savepoint when
 * there are several, so one job's error undoes only its own writes — and their events are handed
 * to the bus only after the commit returned, in seq order. A rollback publishes nothing.
 */
async function runBatch(store: Store, bus: EventBus, jobs: Job[]): Promise<void> {
  let committed: { published: ThreadEvent[][]; outcomes: Outcome[] };
  for (let attempt = 1; ; attempt++) {
    try {
      committed = await writeBatch(store, jobs);
      break;
    } catch (error) {
      // The database aborted the whole batch to break a conflict with another process's writes
      // (two servers locking the same threads in opposite orders): nothing of it was kept and
      // nothing was published, so it runs again from the start — its jobs never see the conflict.
      if (attempt < CONFLICT_ATTEMPTS && storeConflict(error)) continue;
      for (const job of jobs) job.settle({ ok: false, error });
      return;
    }
  }
  for (const events of committed.published) for (const event of events) bus.publish(event);
  jobs.forEach((job, i) => job.settle(committed.outcomes[i]!));
}

/** One run of the batch's transaction; when it fails, every job's in-memory effects are undone first. */
async function writeBatch(store: Store, jobs: Job[]): Promise<{ published: ThreadEvent[][]; outcomes: Outcome[] }> {
  const published: ThreadEvent[][] = jobs.map(() => []);
  const undos: (() => void)[][] = jobs.map(() => []);
  const outcomes: Outcome[] = [];
  try {
    await store.write(async (storeTx) => {
      for (const [i, job] of jobs.entries()) {
        const events = published[i]!;
        const tx = openTx(storeTx, events, undos[i]!);
        // A single job that throws rolls the whole transaction back, as it should.
        if (jobs.length === 1) {
          outcomes.push({ ok: true, value: await job.fn(tx) });
          continue;
        }
        try {
          outcomes.push({ ok: true, value: await storeTx.savepoint(() => job.fn(tx)) });
        } catch (error) {
          if (storeConflict(error)) throw error; // the whole batch runs again (runBatch)
          events.length = 0;
          undoAll(undos[i]!);
          outcomes.push({ ok: false, error });
        }
      }
    });
  } catch (error) {
    for (const list of undos) undoAll(list);
    throw error;
  }
  return { published, outcomes };
}

/** Runs a rolled-back job's undos, newest first (each empties its list: run once). */
function undoAll(list: (() => void)[]): void {
  for (const undo of list.splice(0).reverse()) undo();
}

/**
 * Every write of this process, one batch at a time: a batch's events are published before the
 * next batch begins, so subscribers see each thread's events in seq order even though a
 * transaction awaits its store between statements. Its jobs are settled before the next batch
 * begins too, and a caller awaiting `commit`/`GroupCommitter.run` directly resumes one microtask
 * later, before the next batch's transaction can run (that takes several): what a caller does
 * right after its commit (registering the turn it began) is never overtaken by another write.
 */
export class BatchRunner {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {}

  run(jobs: Job[]): Promise<void> {
    const done = this.tail.then(() => runBatch(this.store, this.bus, jobs));
    this.tail = done.catch(() => {}); // runBatch settles its jobs itself; the chain must go on
    return done;
  }
}

/** One operation, one transaction, then publish. */
export function createCommitter(batches: BatchRunner) {
  return function commit<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      void batches.run([{ fn, settle: (o) => (o.ok ? resolve(o.value as T) : reject(o.error)) }]);
    });
  };
}

export type Commit = ReturnType<typeof createCommitter>;
