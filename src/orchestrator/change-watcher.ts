import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

/** How often `PRAGMA data_version` is read while someone listens (issue 5: notice within 100 ms). */
export const CHANGE_POLL_MS = 50;

/**
 * Notices commits of other server processes on the same file: polls SQLite's
 * `PRAGMA data_version` on this process's connection (it changes when another connection
 * commits) while at least one listener is registered, and calls every listener after a change.
 * Commits of this process do not change it: they are published on the EventBus already.
 */
export class ChangeWatcher {
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private version = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  /** Calls `listener` after each commit by another process; returns the unsubscribe. */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.version = this.store.dataVersion();
      this.timer = setInterval(() => this.poll(), CHANGE_POLL_MS);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private poll(): void {
    let now: number;
    try {
      now = this.store.dataVersion();
    } catch (error) {
      this.log.warn('could not read data_version', { error: (error as Error).message });
      return;
    }
    if (now === this.version) return;
    this.version = now;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.log.warn('a change listener failed', { error: (error as Error).message });
      }
    }
  }

  stop(): void {
    this.listeners.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
