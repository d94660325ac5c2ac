import type { ThreadEvent } from '@threadline/protocol';
import type { EventReads, EventWrites, NewEvent } from '../../port.js';
import type { Ctx } from '../db.js';

/** A page row as an array (no object per row on a hot read path). */
type PageRow = [seq: number, turnId: string | null, itemId: string | null, kind: string, payload: string, time: string];

/** How many UTF-8 bytes of event JSON one `thread/events` page holds at most (past its first event). */
const PAGE_MAX_BYTES = 4 * 1024 * 1024;
/** Rows fetched per statement while a page fills: a page of big events stops early without reading the rest. */
const CHUNK_ROWS = 256;

/**
 * An event as JSON text, byte for byte what JSON.stringify prints for the object `append`
 * returns: same keys, same order, the payload as stored (text, so never re-encoded).
 */
function toEventJson(threadJson: string, [seq, turnId, itemId, kind, payload, time]: PageRow): string {
  const turn = turnId === null ? '' : `,"turnId":${JSON.stringify(turnId)}`;
  const item = itemId === null ? '' : `,"itemId":${JSON.stringify(itemId)}`;
  return `{"seq":${seq},"threadId":${threadJson}${turn}${item},"kind":${JSON.stringify(kind)},"payload":${payload},"time":${JSON.stringify(time)}}`;
}

export function eventTable({ sql, locks }: Ctx): EventReads & EventWrites {
  /** A page as one JSON array text; it stops short of `limit` past ~4 MiB of UTF-8 (never empty). */
  const pageJson = async (threadId: string, afterSeq: number, limit: number): Promise<string> => {
    await locks.thread(threadId);
    const threadJson = JSON.stringify(threadId);
    const events: string[] = [];
    let bytes = 0;
    let after = afterSeq;
    while (events.length < limit) {
      const rows = await sql.arrays<PageRow>(
        'SELECT seq, turn_id, item_id, kind, payload, time FROM events WHERE thread_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [threadId, after, Math.min(CHUNK_ROWS, limit - events.length)],
      );
      for (const row of rows) {
        const json = toEventJson(threadJson, row);
        const size = Buffer.byteLength(json) + 1;
        if (events.length > 0 && bytes + size > PAGE_MAX_BYTES) return `[${events.join(',')}]`;
        events.push(json);
        bytes += size;
      }
      if (rows.length < CHUNK_ROWS) break;
      after = rows[rows.length - 1]![0];
    }
    return `[${events.join(',')}]`;
  };

  return {
    append: async (e: NewEvent): Promise<ThreadEvent> => {
      await locks.thread(e.threadId);
      sql.send('INSERT INTO events (thread_id, seq, turn_id, item_id, kind, payload, time) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        e.threadId, e.seq, e.turnId ?? null, e.itemId ?? null, e.kind, JSON.stringify(e.payload), e.time,
      ]);
      const event: Record<string, unknown> = { seq: e.seq, threadId: e.threadId };
      if (e.turnId !== undefined) event.turnId = e.turnId;
      if (e.itemId !== undefined) event.itemId = e.itemId;
      event.kind = e.kind;
      event.payload = e.payload;
      event.time = e.time;
      return event as unknown as ThreadEvent;
    },
    pageJson,
    page: async (threadId: string, afterSeq: number, limit: number): Promise<ThreadEvent[]> =>
      JSON.parse(await pageJson(threadId, afterSeq, limit)) as ThreadEvent[],
    concatDeltas: async (threadId: string, afterSeq: number, itemId: string, maxChars: number): Promise<string> => {
      await locks.thread(threadId);
      let text = '';
      let after = afterSeq;
      for (;;) {
        const rows = await sql.arrays<[number, string]>(
          "SELECT seq, payload FROM events WHERE thread_id = $1 AND seq > $2 AND item_id = $3 AND kind = 'item.delta' ORDER BY seq LIMIT $4",
          [threadId, after, itemId, CHUNK_ROWS],
        );
        for (const [, payload] of rows) {
          text += (JSON.parse(payload) as { text: string }).text;
          if (text.length > maxChars) return text; // past the cap: the caller cuts it and marks it truncated
        }
        if (rows.length < CHUNK_ROWS) return text;
        after = rows[rows.length - 1]![0];
      }
    },
  };
}
