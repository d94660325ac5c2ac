import { ThreadNotFoundError, type ParsedParamsOf, type ThreadEvent } from '@threadline/protocol';
import type { OperationDeps } from './deps.js';

/** A page of a thread's event log: the events as a JSON array text (exactly as notified), and the thread's lastSeq. */
export interface EventPage {
  eventsJson: string;
  lastSeq: number;
}

/** `thread/events`: a page of the log. The store's JSON text goes out without a parse when it offers it. */
export async function eventPage(d: OperationDeps, p: ParsedParamsOf<'thread/events'>): Promise<EventPage> {
  return await d.store.read(async (tx) => {
    const lastSeq = await tx.threads.lastSeq(p.threadId);
    if (lastSeq === undefined) throw new ThreadNotFoundError(p.threadId);
    const eventsJson = tx.events.pageJson
      ? await tx.events.pageJson(p.threadId, p.afterSeq, p.limit)
      : JSON.stringify(await tx.events.page(p.threadId, p.afterSeq, p.limit));
    return { eventsJson, lastSeq };
  });
}

/**
 * A subscription's starting point, on one snapshot: the backlog after `afterSeq` (at most
 * `limit` events) and the thread's lastSeq, after which the live stream begins.
 */
export async function eventBacklog(d: OperationDeps, threadId: string, afterSeq: number | undefined, limit: number): Promise<{ events: ThreadEvent[]; lastSeq: number }> {
  return await d.store.read(async (tx) => {
    const lastSeq = await tx.threads.lastSeq(threadId);
    if (lastSeq === undefined) throw new ThreadNotFoundError(threadId);
    const from = afterSeq ?? lastSeq;
    return { events: from >= lastSeq ? [] : await tx.events.page(threadId, from, limit), lastSeq };
  });
}

/** Committed events of the thread after `afterSeq`, oldest first (a live tail's next page). */
export async function eventsAfter(d: OperationDeps, threadId: string, afterSeq: number, limit: number): Promise<ThreadEvent[]> {
  return await d.store.read(async (tx) => await tx.events.page(threadId, afterSeq, limit));
}

export async function threadExists(d: OperationDeps, threadId: string): Promise<boolean> {
  return await d.store.read(async (tx) => await tx.threads.runState(threadId) !== undefined);
}
