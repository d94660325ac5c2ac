import { ThreadNotFoundError, type ResultOf, type ThreadEvent } from '@threadline/protocol';
import type { Orchestrator } from '../orchestrator/api.js';

/** The backlog a `thread/subscribe` answers with, at most (PROTOCOL.md §11). */
export const MAX_BACKLOG = 10_000;
/** Events read per page when catching up with other processes' commits. */
const CATCH_UP_PAGE = 1000;

/**
 * The connection's subscriptions (PROTOCOL.md §11): for each subscribed thread, the last seq
 * sent. Every event of a subscribed thread goes out exactly once and in seq order, whichever
 * process wrote it: this process's events as they are published (a gap before one is first
 * filled from the log — another process wrote there), other processes' events when
 * the store's change feed says another process committed.
 */
export class Subscriptions {
  private readonly lastSent = new Map<string, number>();
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly orchestrator: Orchestrator,
    /** Writes one notification (it may skip an `item.delta` for a client that does not read). */
    private readonly send: (event: ThreadEvent) => void,
  ) {}

  subscribe(threadId: string, afterSeq: number | undefined): ResultOf<'thread/subscribe'> {
    const backlog = this.orchestrator.eventBacklog(threadId, afterSeq, MAX_BACKLOG);
    // Live events follow lastSeq (the client pages a backlog cut at MAX_BACKLOG with thread/events);
    // an afterSeq beyond it means the client has those seqs already.
    this.lastSent.set(threadId, Math.max(backlog.lastSeq, afterSeq ?? 0));
    this.unwatch ??= this.orchestrator.onOtherProcessCommit(() => this.catchUpAll());
    return backlog;
  }

  unsubscribe(threadId: string): ResultOf<'thread/unsubscribe'> {
    if (!this.lastSent.delete(threadId) && !this.orchestrator.threadExists(threadId)) throw new ThreadNotFoundError(threadId);
    if (this.lastSent.size === 0 && this.unwatch) {
      this.unwatch();
      this.unwatch = undefined;
    }
    return {};
  }

  /** An event this process committed; false when its thread is not subscribed (the caller sends it). */
  deliverOwn(event: ThreadEvent): boolean {
    const last = this.lastSent.get(event.threadId);
    if (last === undefined) return false;
    if (event.seq <= last) return true;
    if (event.seq > last + 1) this.catchUp(event.threadId, event.seq - 1);
    this.send(event);
    this.lastSent.set(event.threadId, event.seq);
    return true;
  }

  private catchUpAll(): void {
    for (const threadId of [...this.lastSent.keys()]) this.catchUp(threadId, Number.MAX_SAFE_INTEGER);
  }

  /** Sends the thread's committed events after the last one sent, up to `upTo`. */
  private catchUp(threadId: string, upTo: number): void {
    for (;;) {
      const last = this.lastSent.get(threadId);
      if (last === undefined || last >= upTo) return;
      const events = this.orchestrator.eventsAfter(threadId, last, Math.min(CATCH_UP_PAGE, upTo - last));
      if (events.length === 0) return;
      for (const event of events) this.send(event);
      this.lastSent.set(threadId, events[events.length - 1]!.seq);
    }
  }
}
