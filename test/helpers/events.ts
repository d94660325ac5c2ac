import type { EventKind, ThreadEvent, ThreadEventOf, ThreadlineClient } from '@threadline/protocol';

type Match<K extends EventKind> = { kind: K; threadId?: string; turnId?: string; where?: (e: ThreadEventOf<K>) => boolean };

/**
 * Buffers every `thread/event` from the moment it is attached, so a test can wait for an event
 * that may already have arrived: no race, no sleep.
 */
export class EventRecorder {
  readonly events: ThreadEvent[] = [];
  private waiters: { test: (e: ThreadEvent) => boolean; resolve: (e: ThreadEvent) => void }[] = [];

  constructor(client: ThreadlineClient) {
    client.onEvent((event) => {
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(event)) return true;
        w.resolve(event);
        return false;
      });
    });
  }

  of(threadId: string): ThreadEvent[] {
    return this.events.filter((e) => e.threadId === threadId);
  }

  /** The first event (buffered or future) that matches; rejects after `timeoutMs` listing what was seen. */
  waitFor<K extends EventKind>(match: Match<K>, timeoutMs = 10_000): Promise<ThreadEventOf<K>> {
    const test = (e: ThreadEvent): boolean =>
      e.kind === match.kind &&
      (match.threadId === undefined || e.threadId === match.threadId) &&
      (match.turnId === undefined || e.turnId === match.turnId) &&
      (match.where === undefined || match.where(e as ThreadEventOf<K>));
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen as ThreadEventOf<K>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no ${match.kind} event within ${timeoutMs} ms; saw: ${this.events.map((e) => e.kind).join(', ')}`));
      }, timeoutMs);
      this.waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as ThreadEventOf<K>);
        },
      });
    });
  }

  /** Resolves when the turn's `turn.completed` arrived. */
  turnCompleted(turnId: string, timeoutMs?: number): Promise<ThreadEventOf<'turn.completed'>> {
    return this.waitFor({ kind: 'turn.completed', turnId }, timeoutMs);
  }
}
