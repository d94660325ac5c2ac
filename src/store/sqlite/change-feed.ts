import type Database from 'better-sqlite3';
import type { ChangeFeed } from '../port.js';

/** How often `PRAGMA data_version` is read while someone listens (issue 5: notice within 100 ms). */
export const CHANGE_POLL_MS = 50;

/**
 * Other processes' commits on the same file, through SQLite's `PRAGMA data_version`: it changes
 * on this connection when another connection commits (never for this connection's own commits,
 * which this process publishes itself). Polled only while at least one listener is registered.
 */
export class DataVersionFeed implements ChangeFeed {
  private readonly listeners = new Set<() => void>();
  private readonly dataVersion: Database.Statement;
  private timer: NodeJS.Timeout | undefined;
  private version = 0;

  constructor(db: Database.Database) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.version = this.read() ?? 0;
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

  /** undefined when the database cannot be read right now (closed, I/O error): try again next tick. */
  private read(): number | undefined {
    try {
      return this.dataVersion.get() as number;
    } catch {
      return undefined;
    }
  }

  private poll(): void {
    const now = this.read();
    if (now === undefined || now === this.version) return;
    this.version = now;
    // A listener's failure is its own (it logs); one must not keep the others from hearing.
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // ignored: see above
      }
    }
  }

  stop(): void {
    this.listeners.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
