import type { Tx } from '../commit/tx.js';
import { DELTA_CHUNK_CHARS } from '../decide/item-limits.js';

/** Deltas are committed at most this long after they arrive (PROTOCOL.md §5: ≤ 50 ms). */
export const DELTA_COALESCE_MS = 50;
/** …or as soon as this much text waits, which bounds memory and event size. */
const DELTA_FLUSH_BYTES = 64 * 1024;

type PendingWrite =
  | { kind: 'delta'; itemId: string; text: string }
  | { kind: 'write'; write: (tx: Tx) => Promise<void> };

/**
 * What a running turn reported and is not committed yet, in order. Everything an engine reports
 * in one burst lands in one transaction (one fsync): item events are flushed on the next turn of
 * the event loop, text deltas of one item are coalesced for up to 50 ms.
 */
export class PendingWrites {
  private writes: PendingWrite[] = [];
  private deltaBytes = 0;
  /** A flush was asked for (addDelta returned true) and has not taken what waits yet. */
  private urged = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly threadId: string,
    private readonly turnId: string,
    /** Commits what is pending (in a transaction of its own, calling `writeAll`); called once per burst. */
    private readonly flush: () => void,
  ) {}

  /**
   * Queues text for an item; true when so much waits that the caller should flush now (once until
   * that flush takes it: `writeAll` or `discard`). Text is
   * coalesced into deltas of at most DELTA_CHUNK_CHARS: a host's larger delta becomes several
   * `item.delta` events, so no event grows with what one delta holds.
   */
  addDelta(itemId: string, text: string): boolean {
    let at = 0;
    while (at < text.length) {
      const last = this.writes[this.writes.length - 1];
      const joins = last?.kind === 'delta' && last.itemId === itemId && last.text.length < DELTA_CHUNK_CHARS;
      const room = joins ? DELTA_CHUNK_CHARS - last.text.length : DELTA_CHUNK_CHARS;
      const end = chunkEnd(text, at, room);
      if (joins && end === at) {
        this.writes.push({ kind: 'delta', itemId, text: '' }); // no room for a whole character: a new chunk
        continue;
      }
      const chunk = text.slice(at, end);
      if (joins) last.text += chunk;
      else this.writes.push({ kind: 'delta', itemId, text: chunk });
      at = end;
    }
    this.deltaBytes += text.length;
    // Once per flush: deltas that arrive before it takes what waits join it. Asking again for
    // each one started a transaction per delta, nearly all of them empty (12,000 for a 2 MB reply
    // on Postgres, where each waits for a round trip: 9 s instead of 0.5 s).
    if (this.urged) return false;
    if (this.deltaBytes >= DELTA_FLUSH_BYTES) return (this.urged = true);
    if (!this.immediate) this.timer ??= setTimeout(() => this.flush(), DELTA_COALESCE_MS);
    return false;
  }

  /** Queues a write (an item started or completed) for the next flush, one event-loop turn away. */
  addWrite(write: (tx: Tx) => Promise<void>): void {
    this.writes.push({ kind: 'write', write });
    this.immediate ??= setImmediate(() => this.flush());
  }

  get isEmpty(): boolean {
    return this.writes.length === 0;
  }

  /** How many writes wait (a run of one item's deltas counts once per event it becomes). */
  get size(): number {
    return this.writes.length;
  }

  /**
   * Writes everything pending inside the caller's transaction, in the order it came, and takes it
   * out: what the engine reports meanwhile waits for the next write. Should the transaction roll
   * back, it goes back in front of that (`tx.onRollback`): a refused transaction loses nothing.
   */
  async writeAll(tx: Tx): Promise<void> {
    const taken = this.writes;
    const bytes = this.deltaBytes;
    this.discard();
    tx.onRollback(() => {
      this.writes = taken.concat(this.writes);
      this.deltaBytes += bytes;
    });
    for (const w of taken) {
      if (w.kind === 'write') await w.write(tx);
      else await tx.emit(this.threadId, 'item.delta', { itemId: w.itemId, text: w.text }, { turnId: this.turnId, itemId: w.itemId });
    }
  }

  /** Forgets what is pending (written, or of a turn that ended). */
  discard(): void {
    this.cancel();
    this.writes = [];
    this.deltaBytes = 0;
    this.urged = false;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}

/** Where a chunk of at most `room` UTF-16 units from `at` ends, never between a surrogate pair. */
function chunkEnd(text: string, at: number, room: number): number {
  const end = Math.min(text.length, at + room);
  if (end === text.length || end === at) return end;
  const before = text.charCodeAt(end - 1);
  return before >= 0xd800 && before <= 0xdbff ? end - 1 : end;
}
