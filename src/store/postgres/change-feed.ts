import pg from 'pg';
import type { ChangeFeed } from '../port.js';

/** The channel every write transaction notifies on commit; the payload is `threadId:seq` pairs. */
export const CHANNEL = 'threadline_changes';
/** The safety net's period: a lost notification delays a listener this long at most. */
export const POLL_MS = 1_000;
/** How long the listening connection waits before connecting again after it was lost. */
const RECONNECT_MS = 500;

/**
 * Other servers' commits through LISTEN/NOTIFY on a dedicated connection, listening from the
 * moment the store opens (so a commit right after `watch` returns is never missed for want of a
 * LISTEN). A notification from a backend of this store's own pool is this store's own commit and
 * is not reported (`ownBackends`).
 *
 * The safety net: while someone listens, a poll compares a fingerprint of the threads (count,
 * sum of last seqs); a change no notification explained since the last poll was a lost one, and
 * is reported then. After the listening connection is lost and comes back, listeners are called
 * once (what was committed meanwhile was not notified to it).
 */
export class NotifyFeed implements ChangeFeed {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private fingerprint: string | undefined;
  private heard = false;
  private stopped = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly ownBackends: ReadonlySet<number>,
  ) {}

  /** Connects and LISTENs; rejects when the first connection fails (the store does not open). */
  async start(): Promise<void> {
    await this.connect();
  }

  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.timer && !this.stopped) {
      this.timer = setInterval(() => void this.poll(), POLL_MS);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.quiet();
    };
  }

  stop(): void {
    this.stopped = true;
    this.listeners.clear();
    this.quiet();
    const client = this.client;
    this.client = undefined;
    if (client) void client.end().catch(() => {});
  }

  private quiet(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.fingerprint = undefined;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('error', () => {}); // 'end' below handles the loss
    client.on('notification', (message) => {
      this.heard = true;
      if (!this.ownBackends.has(message.processId)) this.report();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      void client.end().catch(() => {});
      throw error;
    }
    if (this.stopped) {
      void client.end().catch(() => {});
      return;
    }
    this.client = client;
    client.once('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.reconnectLater();
    });
  }

  private reconnectLater(): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      if (this.stopped) return;
      this.connect().then(
        () => this.report(), // what was committed while it was away was not notified to it
        () => this.reconnectLater(),
      );
    }, RECONNECT_MS);
    timer.unref();
  }

  private async poll(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const heard = this.heard;
    this.heard = false;
    let now: string;
    try {
      const { rows } = await client.query<{ f: string }>("SELECT count(*) || ':' || coalesce(sum(last_seq), 0) AS f FROM threads");
      now = rows[0]!.f;
    } catch {
      return; // the connection's loss is handled by 'end'
    }
    const before = this.fingerprint;
    this.fingerprint = now;
    if (before !== undefined && before !== now && !heard && this.timer) this.report();
  }

  private report(): void {
    // A listener's failure is its own (it logs); one must not keep the others from hearing.
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // ignored: see above
      }
    }
  }
}
