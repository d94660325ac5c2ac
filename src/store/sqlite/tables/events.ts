import type { Preparer } from '../lazy-statements.js';
import type { ThreadEvent } from '@threadline/protocol';
import type { EventReads, EventWrites, NewEvent } from '../../port.js';
import type { Sync } from '../settled.js';

/**
 * Each event of a page as JSON text, byte for byte what JSON.stringify prints for the object
 * `append` returns (the one that went out as a notification): same keys, same order, and the
 * payload exactly as stored — so `thread/events` replays what was sent, without parsing a
 * payload. SQLite writes the text: built in JavaScript it took 4.3 µs an event, two thirds of a
 * replay's time in the server; now reading and writing one takes 1.3-2.5 µs in all. json_quote
 * prints a string exactly as JSON.stringify does (the store contract's pageJson test checks it).
 */
const PAGE_SQL = `SELECT '{"seq":' || seq || ',"threadId":' || json_quote(thread_id)
    || CASE WHEN turn_id IS NULL THEN '' ELSE ',"turnId":' || json_quote(turn_id) END
    || CASE WHEN item_id IS NULL THEN '' ELSE ',"itemId":' || json_quote(item_id) END
    || ',"kind":' || json_quote(kind) || ',"payload":' || payload || ',"time":' || json_quote(time) || '}'
  FROM events WHERE thread_id = ? AND seq > ? ORDER BY seq LIMIT ?`;

/** How many UTF-8 bytes of event JSON one `thread/events` page holds at most (past its first event). */
const PAGE_MAX_BYTES = 4 * 1024 * 1024;

export function eventTable(db: Preparer): Sync<EventReads & EventWrites> {
  // Positional: binding by name reads each parameter off an object, on every event.
  const insert = db.prepare('INSERT INTO events (thread_id, seq, turn_id, item_id, kind, payload, time) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const page = db.prepare<[string, number, number], string>(PAGE_SQL).pluck();
  const deltas = db.prepare<[string, number, string], { payload: string }>(
    "SELECT payload FROM events WHERE thread_id = ? AND seq > ? AND item_id = ? AND kind = 'item.delta' ORDER BY seq",
  );

  /**
   * A page of events as one JSON array text (for replies that splice it in unparsed). It stops
   * short of `limit` once it is big enough (never empty): one reply must stay far below any
   * reader's message limit, whatever the events hold.
   */
  const listEventsJson = (threadId: string, afterSeq: number, limit: number): string => {
    const events: string[] = [];
    // A reader's limit is in bytes, and CJK text is 3 bytes a character. Counting every event's
    // bytes would cost a replay about a sixth of its speed, so bytes are counted only once the
    // cheap bound (3 bytes a UTF-16 unit) could pass the cap: `exact` covers events[0, counted).
    let exact = 0;
    let counted = 0;
    let pendingChars = 0;
    for (const json of page.iterate(threadId, afterSeq, limit)) {
      if (events.length > 0 && exact + 3 * (pendingChars + json.length) > PAGE_MAX_BYTES) {
        exact += Buffer.byteLength(events.slice(counted).join('')) + (events.length - counted);
        counted = events.length;
        pendingChars = 0;
        if (exact + Buffer.byteLength(json) + 1 > PAGE_MAX_BYTES) break;
      }
      events.push(json);
      pendingChars += json.length + 1;
    }
    if (events.length === 0) return '[]';
    // The brackets go on the first and last event, so join makes the page one flat string: the
    // writer counts and writes it as it is, without V8 first copying `[` + join + `]` into one.
    events[0] = `[${events[0]}`;
    events[events.length - 1] += ']';
    return events.join(',');
  };

  return {
    /**
     * Writes the event and returns it as it will read back: same keys in the same order as
     * `PAGE_SQL`, with the payload object itself (its JSON is what was stored).
     */
    append: (e: NewEvent): ThreadEvent => {
      insert.run(e.threadId, e.seq, e.turnId ?? null, e.itemId ?? null, e.kind, JSON.stringify(e.payload), e.time);
      const event: Record<string, unknown> = { seq: e.seq, threadId: e.threadId };
      if (e.turnId !== undefined) event.turnId = e.turnId;
      if (e.itemId !== undefined) event.itemId = e.itemId;
      event.kind = e.kind;
      event.payload = e.payload;
      event.time = e.time;
      return event as unknown as ThreadEvent;
    },
    pageJson: listEventsJson,
    page: (threadId: string, afterSeq: number, limit: number): ThreadEvent[] =>
      JSON.parse(listEventsJson(threadId, afterSeq, limit)) as ThreadEvent[],
    /** The text an item streamed (for an item a crash left open), read up to `maxChars`. */
    concatDeltas: (threadId: string, afterSeq: number, itemId: string, maxChars: number): string => {
      let text = '';
      for (const row of deltas.iterate(threadId, afterSeq, itemId)) {
        text += (JSON.parse(row.payload) as { text: string }).text;
        if (text.length > maxChars) break; // past the cap: the caller cuts it and marks it truncated
      }
      return text;
    },
  };
}
