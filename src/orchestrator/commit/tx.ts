import type { EventKind, EventPayload, ThreadEvent } from '@threadline/protocol';
import type { WriteTx } from '../../store/port.js';

/**
 * An operation's transaction: the store's write handle (every read and write of the operation
 * goes through it) plus the thread event log. Events appended here get the thread's next seq and
 * are published only once the transaction has committed.
 */
export interface Tx extends WriteTx {
  emit<K extends EventKind>(
    threadId: string,
    kind: K,
    payload: EventPayload<K>,
    refs?: { turnId?: string; itemId?: string },
  ): Promise<ThreadEvent>;
  /**
   * The seq the thread's next `emit` will get, for a row that must name the event recording it
   * (an admission's `admittedSeq`, a turn's `startSeq`). The next emit on the thread checks it got
   * this seq: an event slipped in between would otherwise corrupt the row silently.
   */
  peekSeq(threadId: string): Promise<number>;
  /**
   * Runs `undo` (synchronously, before the next transaction of this process begins) when this
   * operation's writes roll back: in-memory state taken out for the transaction goes back.
   */
  onRollback(undo: () => void): void;
}

/** Wraps the store's transaction; each emitted event is pushed onto `emitted` (in seq order), each undo onto `undos`. */
export function openTx(store: WriteTx, emitted: ThreadEvent[], undos: (() => void)[]): Tx {
  const peeked = new Map<string, number>();
  // Each member named, not `{ ...store, emit, … }`: V8 copies a spread followed by more properties
  // on its slow path (~2 µs a transaction), and a per-transaction prototype defeats its caches.
  return {
    now: store.now,
    threads: store.threads,
    turns: store.turns,
    items: store.items,
    admissions: store.admissions,
    events: store.events,
    clientRequests: store.clientRequests,
    routing: store.routing,
    owners: store.owners,
    reports: store.reports,
    approvalRules: store.approvalRules,
    savepoint: store.savepoint,
    onRollback(undo) {
      undos.push(undo);
    },
    async emit(threadId, kind, payload, refs) {
      const seq = await store.threads.nextSeq(threadId);
      const promised = peeked.get(threadId);
      if (promised !== undefined) {
        peeked.delete(threadId);
        if (promised !== seq) throw new Error(`event ${kind} got seq ${seq} on ${threadId}, but ${promised} was promised to a row`);
      }
      const event = await store.events.append({ threadId, seq, turnId: refs?.turnId, itemId: refs?.itemId, kind, payload, time: store.now });
      emitted.push(event);
      return event;
    },
    async peekSeq(threadId) {
      const seq = (await store.threads.lastSeq(threadId))! + 1;
      peeked.set(threadId, seq);
      return seq;
    },
  };
}
