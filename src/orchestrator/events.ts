import type { EventKind, EventPayload, ThreadEvent } from '@threadline/protocol';
import type { Store } from '../store/store.js';

export type EventListener = (event: ThreadEvent) => void;

/** Who hears committed events: the rpc connection (as notifications) and in-process waiters. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  /** `onListenerError` hears what a listener threw: publishing happens after commit and must not fail it. */
  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: ThreadEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

/** The write side of one transaction: events appended here get the thread's next seq. */
export interface Tx {
  readonly now: string;
  emit<K extends EventKind>(
    threadId: string,
    kind: K,
    payload: EventPayload<K>,
    refs?: { turnId?: string; itemId?: string },
  ): ThreadEvent;
}

interface Job {
  fn: (tx: Tx) => unknown;
  settle: (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void;
}

/**
 * Commit, then publish: the jobs run in one IMMEDIATE transaction — each in its own savepoint
 * when there are several, so one job's error undoes only its own writes — and their events are
 * handed to the bus only after COMMIT returned, in seq order. A rollback publishes nothing.
 */
function runBatch(store: Store, bus: EventBus, clock: () => Date, jobs: Job[]): void {
  const published: ThreadEvent[][] = jobs.map(() => []);
  const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
  try {
    store.write(() => {
      jobs.forEach((job, i) => {
        const events = published[i]!;
        const now = clock().toISOString();
        const tx: Tx = {
          now,
          emit(threadId, kind, payload, refs) {
            const event = store.insertEvent({
              threadId,
              seq: store.nextSeq(threadId),
              turnId: refs?.turnId,
              itemId: refs?.itemId,
              kind,
              payload,
              time: now,
            });
            events.push(event);
            return event;
          },
        };
        if (jobs.length === 1) {
          outcomes.push({ ok: true, value: job.fn(tx) });
          return;
        }
        try {
          outcomes.push({ ok: true, value: store.write(() => job.fn(tx)) }); // a savepoint
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
export function createCommitter(store: Store, bus: EventBus, clock: () => Date = () => new Date()) {
  return function commit<T>(fn: (tx: Tx) => T): T {
    let result: { ok: true; value: unknown } | { ok: false; error: unknown } | undefined;
    runBatch(store, bus, clock, [{ fn, settle: (outcome) => (result = outcome) }]);
    if (!result!.ok) throw result!.error;
    return result!.value as T;
  };
}

export type Commit = ReturnType<typeof createCommitter>;

/** Jobs in one group commit, at most: a bound on how long the first of them waits. */
const MAX_BATCH = 256;
/**
 * Event-loop turns a batch waits for the backlog, at most (the transport dispatches one request
 * per turn). The backlog is the set of requests actually queued for dispatch, so it drains; this
 * bound only makes sure a backlog that stopped moving could delay a commit, never wedge it.
 */
const MAX_WAIT_TURNS = 2 * MAX_BATCH;

/**
 * Group commit: operations that arrive together share one transaction — one fsync at
 * `--durability full` — and each caller is answered only after that COMMIT. A batch is flushed
 * as soon as the transport has no more received requests waiting to be dispatched, so a lone
 * request commits at once and a burst is committed as one.
 */
export class GroupCommitter {
  private queue: Job[] = [];
  private scheduled = false;
  private waitedTurns = 0;
  /** How many received requests still wait for dispatch; set by the rpc layer. */
  backlog: () => number = () => 0;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  run<T>(fn: (tx: Tx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, settle: (o) => (o.ok ? resolve(o.value as T) : reject(o.error)) });
      // Nothing else waiting to join: commit now rather than one event-loop turn later.
      if (this.queue.length >= MAX_BATCH || this.backlog() === 0) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.tick());
      }
    });
  }

  private tick(): void {
    if (this.backlog() > 0 && this.queue.length < MAX_BATCH && ++this.waitedTurns < MAX_WAIT_TURNS) {
      setImmediate(() => this.tick());
      return;
    }
    this.flush();
  }

  private flush(): void {
    this.scheduled = false;
    this.waitedTurns = 0;
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length > 0) runBatch(this.store, this.bus, this.clock, jobs);
  }
}
