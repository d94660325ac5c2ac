import type { ThreadEvent } from '@threadline/protocol';
import type { Connection } from './connection.js';

/**
 * One thread's events, each exactly once and in seq order, whatever their source: the log read
 * with `thread/events` when a thread is opened or after the server restarted, and the live
 * notifications. A live event past a gap (say, sent while the server was being restarted) makes
 * the feed read the log from the last seq it delivered.
 */
export class ThreadFeed {
  lastSeq = 0;
  private syncing: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    readonly threadId: string,
    private readonly connection: Connection,
    private readonly deliver: (event: ThreadEvent) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A live notification (of any thread: others are ignored). */
  live(event: ThreadEvent): void {
    if (this.stopped || event.threadId !== this.threadId || event.seq <= this.lastSeq) return;
    if (event.seq === this.lastSeq + 1 && !this.syncing) {
      this.lastSeq = event.seq;
      this.deliver(event);
    } else {
      void this.catchUp();
    }
  }

  /** Reads the log after the last delivered seq up to its end; concurrent calls share one run. */
  catchUp(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const { events, lastSeq } = await this.connection.requestRetrying('thread/events', { threadId: this.threadId, afterSeq: this.lastSeq, limit: 10000 });
            for (const event of events) {
              if (this.stopped) return;
              if (event.seq !== this.lastSeq + 1) continue;
              this.lastSeq = event.seq;
              this.deliver(event);
            }
            if (events.length === 0 || this.lastSeq >= lastSeq) break;
          }
        } while (this.again && !this.stopped);
      } catch (error) {
        if (!this.stopped) this.onError(error);
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  /**
   * Live events of this thread from every server process on the database (thread/subscribe), so
   * a turn another process runs streams here too; again after a restart (a new connection).
   */
  async subscribe(): Promise<void> {
    const { events } = await this.connection.requestRetrying('thread/subscribe', { threadId: this.threadId, afterSeq: this.lastSeq });
    for (const event of events) this.live(event);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.connection.request('thread/unsubscribe', { threadId: this.threadId }).catch(() => {});
  }
}
