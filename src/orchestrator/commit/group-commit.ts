import type { BatchRunner, Job } from './commit.js';
import type { Tx } from './tx.js';

/** Jobs in one group commit, at most: a bound on how long the first of them waits. */
const MAX_BATCH = 256;
/**
 * Event-loop turns a batch waits for the backlog, at most (the transport dispatches one request
 * per turn). The backlog is the set of requests actually queued for dispatch, so it drains; this
 * bound only makes sure a backlog that stopped moving could delay a commit, never wedge it.
 */
const MAX_WAIT_TURNS = 2 * MAX_BATCH;

/** How many received requests of a connection still wait for dispatch (they may join the batch). */
export type InputBacklog = () => number;

/**
 * Group commit: operations that arrive together share one transaction — one fsync at
 * `--durability full` — and each caller is answered only after that COMMIT. A batch is flushed
 * as soon as no connection with a job in it has more received requests waiting to be
 * dispatched, so a lone request commits at once and a burst is committed as one.
 */
export class GroupCommitter {
  private queue: Job[] = [];
  /** The input backlogs of the connections whose jobs wait in the queue. */
  private backlogs = new Set<InputBacklog>();
  private scheduled = false;
  private waitedTurns = 0;

  constructor(private readonly batches: BatchRunner) {}

  run<T>(fn: (tx: Tx) => Promise<T>, backlog: InputBacklog = () => 0): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, settle: (o) => (o.ok ? resolve(o.value as T) : reject(o.error)) });
      this.backlogs.add(backlog);
      // Nothing else waiting to join: commit now rather than one event-loop turn later.
      if (this.queue.length >= MAX_BATCH || !this.moreComing()) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.tick());
      }
    });
  }

  private moreComing(): boolean {
    for (const backlog of this.backlogs) if (backlog() > 0) return true;
    return false;
  }

  private tick(): void {
    if (this.moreComing() && this.queue.length < MAX_BATCH && ++this.waitedTurns < MAX_WAIT_TURNS) {
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
    this.backlogs = new Set();
    if (jobs.length > 0) void this.batches.run(jobs);
  }
}
