import type { ThreadEvent } from '@threadline/protocol';

/** Events read from the log per page when filling a gap. */
const PAGE = 1000;

/**
 * One thread's events, delivered exactly once and in seq order from two sources: this process's
 * events as they are published (`push`), and the log, read to fill a gap before one (another
 * process wrote there) or when another process committed (`catchUp`). Reading the log is
 * asynchronous, so what arrives meanwhile waits its turn; one pump runs at a time. Nothing is
 * delivered before `start` names the last seq the receiver has.
 */
export class ThreadEventPump {
  private last = 0;
  private readonly waiting: ThreadEvent[] = [];
  private catchUpWanted = false;
  private busy = true;
  private stopped = false;

  constructor(
    private readonly readAfter: (afterSeq: number, limit: number) => Promise<ThreadEvent[]>,
    private readonly deliver: (event: ThreadEvent) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Delivers from after `last` on: what waited since the pump was made first. */
  start(last: number): void {
    this.last = last;
    this.busy = false;
    void this.pump();
  }

  /** An event this process published on the thread. */
  push(event: ThreadEvent): void {
    this.waiting.push(event);
    void this.pump();
  }

  /** Another process committed: whatever the log holds past the last delivered seq is delivered. */
  catchUp(): void {
    this.catchUpWanted = true;
    void this.pump();
  }

  /** Delivers nothing more; returns what was pushed and not delivered. */
  stop(): ThreadEvent[] {
    this.stopped = true;
    return this.waiting.splice(0);
  }

  private async pump(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      while (!this.stopped) {
        if (this.catchUpWanted) {
          this.catchUpWanted = false;
          await this.fill(Number.MAX_SAFE_INTEGER);
          continue;
        }
        const event = this.waiting.shift();
        if (!event) break;
        if (event.seq <= this.last) continue;
        if (event.seq > this.last + 1) await this.fill(event.seq - 1);
        if (this.stopped || event.seq !== this.last + 1) continue;
        this.last = event.seq;
        this.deliver(event);
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.busy = false;
    }
  }

  /** Delivers the log's events after the last delivered one, up to `upTo`. */
  private async fill(upTo: number): Promise<void> {
    while (!this.stopped && this.last < upTo) {
      const events = await this.readAfter(this.last, Math.min(PAGE, upTo - this.last));
      for (const event of events) {
        if (this.stopped || event.seq <= this.last) continue;
        this.last = event.seq;
        this.deliver(event);
      }
      if (events.length === 0) return;
    }
  }
}
