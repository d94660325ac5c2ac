// The floor of row 2: what the contract makes an admission write, done raw. Each `admit` request
// is one transaction on Threadline's own schema (its migrations, its pragmas): the inbox row (with
// its id and queue indexes), the thread's counters and the `prompt.admitted` event in the log;
// then the event goes out as a notification and the admission is the answer — no validation, no
// lease or state reads, no orchestrator. Usage: admission-floor-server.cjs DB_PATH FULL|NORMAL
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { newId } from '../../src/orchestrator/ids.js';
import { FLOOR_THREAD as threadId, openFloorDb } from '../lib/floor-db.js';

const [path, synchronous] = process.argv.slice(2);
const db = openFloorDb(path!, synchronous!);

const nextSeq = db.prepare<[string], { last_seq: number }>(
  'UPDATE threads SET last_seq = last_seq + 1, queued_count = queued_count + 1 WHERE id = ? RETURNING last_seq',
);
const insertAdmission = db.prepare(`INSERT INTO admissions (id, thread_id, admitted_seq, prompt, delivery, state, options, created_at, position)
  VALUES (?, ?, ?, ?, 'queue', 'pending', '{}', ?, ?)`);
const insertEvent = db.prepare(`INSERT INTO events (thread_id, seq, turn_id, item_id, kind, payload, time)
  VALUES (?, ?, NULL, NULL, 'prompt.admitted', ?, ?)`);

const admit = db.transaction((prompt: string) => {
  const now = new Date().toISOString();
  const seq = nextSeq.get(threadId)!.last_seq;
  const admission = { id: newId('admission'), threadId, admittedSeq: seq, prompt, delivery: 'queue', state: 'pending', createdAt: now };
  insertAdmission.run(admission.id, threadId, seq, prompt, now, seq);
  const payload = { admission };
  insertEvent.run(threadId, seq, JSON.stringify(payload), now);
  return { admission, event: { seq, threadId, kind: 'prompt.admitted', payload, time: now } };
});

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
connection.onRequest('admit', (p: { prompt: string }) => {
  const { admission, event } = admit.immediate(p.prompt);
  void connection.sendNotification('thread/event', event);
  return { queued: admission };
});
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.onClose(() => process.exit(0));
connection.listen();
