import { ThreadNotFoundError, type ResultOf, type ThreadEvent } from '@threadline/protocol';
import { ThreadEventPump, type Orchestrator } from '../orchestrator/api.js';

/** The backlog a `thread/subscribe` answers with, at most (PROTOCOL.md §11). */
export const MAX_BACKLOG = 10_000;

/**
 * The connection's subscriptions (PROTOCOL.md §11): every event of a subscribed thread goes out
 * exactly once and in seq order, whichever process wrote it: this process's events as they are
 * published (a gap before one is first filled from the log — another process wrote there),
 * other processes' events when the store's change feed says another process committed.
 */
export class Subscriptions {
  private readonly pumps = new Map<string, ThreadEventPump>();
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly orchestrator: Orchestrator,
    /** Writes one notification (it may skip an `item.delta` for a client that does not read). */
    private readonly send: (event: ThreadEvent) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  async subscribe(threadId: string, afterSeq: number | undefined): Promise<ResultOf<'thread/subscribe'>> {
    // Made before the backlog is read, started after the answer is written: this process's
    // events meanwhile wait, and go out after the answer, past its lastSeq.
    const pump = new ThreadEventPump((after, limit) => this.orchestrator.eventsAfter(threadId, after, limit), this.send, this.onError);
    const previous = this.pumps.get(threadId);
    this.pumps.set(threadId, pump);
    for (const event of previous?.stop() ?? []) pump.push(event);
    let backlog: ResultOf<'thread/subscribe'>;
    try {
      backlog = await this.orchestrator.eventBacklog(threadId, afterSeq, MAX_BACKLOG);
    } catch (error) {
      if (this.pumps.get(threadId) === pump) this.pumps.delete(threadId);
      for (const event of pump.stop()) this.send(event); // not subscribed: sent as any other event
      throw error;
    }
    this.unwatch ??= this.orchestrator.onOtherProcessCommit(() => {
      for (const each of this.pumps.values()) each.catchUp();
    });
    // Live events follow lastSeq (the client pages a backlog cut at MAX_BACKLOG with thread/events);
    // an afterSeq beyond it means the client has those seqs already.
    setImmediate(() => pump.start(Math.max(backlog.lastSeq, afterSeq ?? 0)));
    return backlog;
  }

  async unsubscribe(threadId: string): Promise<ResultOf<'thread/unsubscribe'>> {
    const pump = this.pumps.get(threadId);
    if (pump) {
      this.pumps.delete(threadId);
      pump.stop();
    } else if (!(await this.orchestrator.threadExists(threadId))) {
      throw new ThreadNotFoundError(threadId);
    }
    if (this.pumps.size === 0 && this.unwatch) {
      this.unwatch();
      this.unwatch = undefined;
    }
    return {};
  }

  /** An event this process committed; false when its thread is not subscribed (the caller sends it). */
  deliverOwn(event: ThreadEvent): boolean {
    const pump = this.pumps.get(event.threadId);
    if (!pump) return false;
    pump.push(event);
    return true;
  }
}
