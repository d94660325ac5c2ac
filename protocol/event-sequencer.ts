import type { ThreadEvent } from './events.js';

/** Reads a page of a thread's log: `thread/events` with these params. */
export type FetchEventPage = (threadId: string, afterSeq: number, limit: number) => Promise<{ events: ThreadEvent[] }>;

interface ThreadSequence {
  /** Seq of the last event delivered. */
  last: number;
  /** Set while a gap is being fetched: live events that arrived meanwhile, in arrival order. */
  held: ThreadEvent[] | undefined;
}

/**
 * Turns the live `thread/event` stream into every event of each thread exactly once, in seq
 * order (PROTOCOL.md §11): a duplicate (seq at or below the last delivered) is dropped; a seq
 * jump (the server skipped live deltas to a client that fell behind) is filled from the log
 * with `thread/events` pages, holding the live events that arrive meanwhile. A thread's
 * sequence starts at the first event seen for it: nothing before that is fetched. In-order
 * events are delivered synchronously, as they arrive.
 *
 * When a gap cannot be filled (the request fails, e.g. the thread was deleted or the connection
 * closed, or the log does not have the events), the held events are delivered after the gap.
 */
export class EventSequencer {
  private readonly threads = new Map<string, ThreadSequence>();

  constructor(
    private readonly fetchPage: FetchEventPage,
    /** Must not throw. */
    private readonly deliver: (event: ThreadEvent) => void,
    /** `limit` of each `thread/events` page. */
    private readonly pageLimit: number,
  ) {}

  /** A live event, as it came off the wire. */
  push(event: ThreadEvent): void {
    const thread = this.threads.get(event.threadId);
    if (!thread) {
      this.threads.set(event.threadId, { last: event.seq, held: undefined });
      this.deliver(event);
    } else if (thread.held) {
      thread.held.push(event);
    } else if (event.seq === thread.last + 1) {
      thread.last = event.seq;
      this.deliver(event);
    } else if (event.seq > thread.last + 1) {
      thread.held = [event];
      void this.fill(event.threadId, thread);
    }
    // else: seq <= last, a duplicate.
  }

  /** Fetches pages after the last delivered event until the held events continue it. */
  private async fill(threadId: string, thread: ThreadSequence): Promise<void> {
    const held = thread.held!;
    for (;;) {
      held.sort((a, b) => a.seq - b.seq);
      while (held.length > 0 && held[0]!.seq <= thread.last + 1) this.next(thread, held.shift()!);
      if (held.length === 0) break;
      const before = thread.last;
      try {
        const page = await this.fetchPage(threadId, thread.last, this.pageLimit);
        for (const event of page.events) this.next(thread, event);
      } catch {
        // Cannot be filled: go on after the gap.
      }
      if (thread.last === before) thread.last = held[0]!.seq - 1;
    }
    thread.held = undefined;
  }

  /** Delivers `event` if it is the next one (anything else was delivered already). */
  private next(thread: ThreadSequence, event: ThreadEvent): void {
    if (event.seq !== thread.last + 1) return;
    thread.last = event.seq;
    this.deliver(event);
  }
}
