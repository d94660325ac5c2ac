import type { ThreadEvent } from '@threadline/protocol';

export type EventListener = (event: ThreadEvent) => void;

/** Who hears this process's committed events: front ends (as notifications) and in-process waiters. */
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
