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

/**
 * Commit, then publish: `fn` runs in one IMMEDIATE transaction and its events are handed to the
 * bus only after COMMIT returned, in seq order. A rollback publishes nothing.
 */
export function createCommitter(store: Store, bus: EventBus, clock: () => Date = () => new Date()) {
  return function commit<T>(fn: (tx: Tx) => T): T {
    const pending: ThreadEvent[] = [];
    const result = store.write(() => {
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
          pending.push(event);
          return event;
        },
      };
      return fn(tx);
    });
    for (const event of pending) bus.publish(event);
    return result;
  };
}

export type Commit = ReturnType<typeof createCommitter>;
