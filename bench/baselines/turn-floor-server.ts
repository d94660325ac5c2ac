// The floor of row 3: what the contract makes a one-word turn write, done raw, on Threadline's own
// schema and pragmas. `start` commits the turn's start (the inbox row, already promoted; the turn;
// the user message item and its search entry; four events; the thread's running turn, preview and
// seq) and answers; an engine with no latency then ends it in a second commit (the agent message,
// its search entry, four events, the turn and thread closed). Each event is notified after its
// commit; `wait` answers once the turn's end is committed. No validation, no reads, no
// orchestrator. Usage: turn-floor-server.cjs DB_PATH FULL|NORMAL
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { newId } from '../../src/orchestrator/ids.js';
import { FLOOR_THREAD as threadId, openFloorDb } from '../lib/floor-db.js';

const [path, synchronous] = process.argv.slice(2);
const db = openFloorDb(path!, synchronous!);

const sql = {
  seq: db.prepare<[string], { last_seq: number }>('UPDATE threads SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq'),
  event: db.prepare('INSERT INTO events (thread_id, seq, turn_id, item_id, kind, payload, time) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  admission: db.prepare(`INSERT INTO admissions (id, thread_id, admitted_seq, prompt, delivery, state, options, created_at, position, promoted_seq, turn_id)
    VALUES (?, ?, ?, ?, 'queue', 'promoted', '{}', ?, ?, ?, ?)`),
  turn: db.prepare(`INSERT INTO turns (id, thread_id, status, input_summary, options, created_at, started_at, start_seq)
    VALUES (?, ?, 'in_progress', ?, '{}', ?, ?, ?)`),
  endTurn: db.prepare("UPDATE turns SET status = 'completed', ended_at = ?, duration_ms = ?, usage = ? WHERE id = ?"),
  running: db.prepare('UPDATE threads SET running_turn_id = ?, latest_turn_id = ?, preview = ? WHERE id = ?'),
  idle: db.prepare('UPDATE threads SET running_turn_id = NULL, preview = ?, updated_at = ? WHERE id = ?'),
  item: db.prepare(`INSERT INTO items (id, turn_id, thread_id, position, kind, status, summary, detail, started_at)
    VALUES (?, ?, ?, ?, ?, 'in_progress', ?, ?, ?)`),
  endItem: db.prepare("UPDATE items SET status = 'completed', summary = ?, detail = ?, ended_at = ? WHERE id = ?"),
  searchDoc: db.prepare('INSERT INTO search_docs (thread_id, turn_id, item_id) VALUES (?, ?, ?)'),
  searchText: db.prepare('INSERT INTO search_fts (rowid, body) VALUES (?, ?)'),
};

type Event = { seq: number; threadId: string; turnId: string; itemId?: string; kind: string; payload: unknown; time: string };
function append(events: Event[], turnId: string, kind: string, payload: unknown, time: string, itemId?: string): void {
  const seq = sql.seq.get(threadId)!.last_seq;
  sql.event.run(threadId, seq, turnId, itemId ?? null, kind, JSON.stringify(payload), time);
  events.push({ seq, threadId, turnId, ...(itemId ? { itemId } : {}), kind, payload, time });
}

/** An item written, indexed for search and finished, with its three events (or two and a delta). */
function message(events: Event[], turnId: string, position: number, kind: string, text: string, time: string): void {
  const itemId = newId('item');
  sql.item.run(itemId, turnId, threadId, position, kind, kind === 'user_message' ? text : '', kind === 'user_message' ? text : null, time);
  const item = { id: itemId, turnId, kind, status: 'in_progress', summary: '', startedAt: time };
  append(events, turnId, 'item.started', { item }, time, itemId);
  if (kind === 'agent_message') append(events, turnId, 'item.delta', { itemId, text }, time, itemId);
  sql.endItem.run(text, text, time, itemId);
  append(events, turnId, 'item.completed', { item: { ...item, status: 'completed', summary: text, detail: text, endedAt: time } }, time, itemId);
  sql.searchText.run(sql.searchDoc.run(threadId, turnId, itemId).lastInsertRowid, text);
}

const begin = db.transaction((prompt: string) => {
  const now = new Date().toISOString();
  const events: Event[] = [];
  const turnId = newId('turn');
  const admissionId = newId('admission');
  const seq = sql.seq.get(threadId)!.last_seq;
  sql.admission.run(admissionId, threadId, seq, prompt, now, seq, seq, turnId);
  const admission = { id: admissionId, threadId, admittedSeq: seq, prompt, delivery: 'queue', state: 'promoted', createdAt: now, promotedSeq: seq, turnId };
  sql.event.run(threadId, seq, turnId, null, 'prompt.promoted', JSON.stringify({ admission, turnId }), now);
  events.push({ seq, threadId, turnId, kind: 'prompt.promoted', payload: { admission, turnId }, time: now });
  const turn = { id: turnId, threadId, status: 'in_progress', inputSummary: prompt, createdAt: now, startedAt: now, items: [] as string[] };
  sql.turn.run(turnId, threadId, prompt, now, now, seq + 1);
  append(events, turnId, 'turn.started', { turn }, now);
  message(events, turnId, 0, 'user_message', prompt, now);
  sql.running.run(turnId, turnId, prompt, threadId);
  return { turn, events };
});

const end = db.transaction((turn: { id: string; inputSummary: string; startedAt: string }) => {
  const now = new Date().toISOString();
  const events: Event[] = [];
  const text = `echo[4]: ${turn.inputSummary}`;
  message(events, turn.id, 1, 'agent_message', text, now);
  const usage = { inputTokens: 4, outputTokens: 2 };
  sql.endTurn.run(now, 0, JSON.stringify(usage), turn.id);
  sql.idle.run(text, now, threadId);
  const ended = { ...turn, status: 'completed', endedAt: now, durationMs: 0, usage };
  append(events, turn.id, 'turn.completed', { turn: ended }, now);
  return { ended, events };
});

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
const notify = (events: Event[]) => events.forEach((e) => void connection.sendNotification('thread/event', e));
const ended = new Map<string, unknown>();
const waiting = new Map<string, (turn: unknown) => void>();

connection.onRequest('start', (p: { prompt: string }) => {
  const { turn, events } = begin.immediate(p.prompt);
  notify(events);
  setImmediate(() => {
    const { ended: done, events: more } = end.immediate(turn);
    notify(more);
    const waiter = waiting.get(turn.id);
    if (waiter) (waiting.delete(turn.id), waiter(done));
    else ended.set(turn.id, done);
  });
  return { turn };
});
connection.onRequest('wait', (p: { turnId: string }) => {
  const done = ended.get(p.turnId);
  if (done) return (ended.delete(p.turnId), { turn: done });
  return new Promise((resolve) => waiting.set(p.turnId, (turn) => resolve({ turn })));
});
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.onClose(() => process.exit(0));
connection.listen();
