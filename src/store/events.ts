import type Database from 'better-sqlite3';
import type { ThreadEvent } from '@threadline/protocol';

interface EventRow {
  thread_id: string;
  seq: number;
  turn_id: string | null;
  item_id: string | null;
  kind: string;
  payload: string;
  time: string;
}

export interface NewEvent {
  threadId: string;
  seq: number;
  turnId?: string;
  itemId?: string;
  kind: string;
  payload: unknown;
  time: string;
}

/**
 * An event as JSON text, byte for byte what JSON.stringify prints for the object `insertEvent`
 * returns (the one that went out as a notification): same keys, same order, and the payload
 * exactly as stored — so `thread/events` replays what was sent, without parsing a payload.
 */
function toEventJson(row: EventRow): string {
  const turn = row.turn_id === null ? '' : `,"turnId":${JSON.stringify(row.turn_id)}`;
  const item = row.item_id === null ? '' : `,"itemId":${JSON.stringify(row.item_id)}`;
  return `{"seq":${row.seq},"threadId":${JSON.stringify(row.thread_id)}${turn}${item},"kind":${JSON.stringify(row.kind)},"payload":${row.payload},"time":${JSON.stringify(row.time)}}`;
}

export function eventStatements(db: Database.Database) {
  const insert = db.prepare(`INSERT INTO events (thread_id, seq, turn_id, item_id, kind, payload, time)
    VALUES (@thread_id, @seq, @turn_id, @item_id, @kind, @payload, @time)`);
  const page = db.prepare<[string, number, number], EventRow>(
    'SELECT * FROM events WHERE thread_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const deltas = db.prepare<[string, number, string], { payload: string }>(
    "SELECT payload FROM events WHERE thread_id = ? AND seq > ? AND item_id = ? AND kind = 'item.delta' ORDER BY seq",
  );

  return {
    /**
     * Writes the event and returns it as it will read back: same keys in the same order as
     * `toEventJson`, with the payload object itself (its JSON is what was stored).
     */
    insertEvent: (e: NewEvent): ThreadEvent => {
      insert.run({
        thread_id: e.threadId,
        seq: e.seq,
        turn_id: e.turnId ?? null,
        item_id: e.itemId ?? null,
        kind: e.kind,
        payload: JSON.stringify(e.payload),
        time: e.time,
      });
      const event: Record<string, unknown> = { seq: e.seq, threadId: e.threadId };
      if (e.turnId !== undefined) event.turnId = e.turnId;
      if (e.itemId !== undefined) event.itemId = e.itemId;
      event.kind = e.kind;
      event.payload = e.payload;
      event.time = e.time;
      return event as unknown as ThreadEvent;
    },
    /** A page of events as one JSON array text (for replies that splice it in unparsed). */
    listEventsJson: (threadId: string, afterSeq: number, limit: number): string =>
      `[${page.all(threadId, afterSeq, limit).map(toEventJson).join(',')}]`,
    /** A page of events as records, exactly as `listEventsJson` prints them (for live notifications). */
    listEvents: (threadId: string, afterSeq: number, limit: number): ThreadEvent[] =>
      page.all(threadId, afterSeq, limit).map((row) => JSON.parse(toEventJson(row)) as ThreadEvent),
    /** The text an item streamed (for an item a crash left open), read up to `maxChars`. */
    concatDeltas: (threadId: string, afterSeq: number, itemId: string, maxChars: number): { text: string; complete: boolean } => {
      let text = '';
      for (const row of deltas.iterate(threadId, afterSeq, itemId)) {
        text += (JSON.parse(row.payload) as { text: string }).text;
        if (text.length > maxChars) return { text, complete: false };
      }
      return { text, complete: true };
    },
  };
}

export type EventStatements = ReturnType<typeof eventStatements>;
