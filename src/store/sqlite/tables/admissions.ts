import type { Preparer } from '../lazy-statements.js';
import type { Admission, AdmissionState, Delivery } from '@threadline/protocol';
import { opt } from './rows.js';
import type { AdmissionReads, AdmissionWrites, NewAdmission, StoredAdmission } from '../../port.js';
import type { Sync } from '../settled.js';

interface AdmissionRow {
  id: string;
  thread_id: string;
  admitted_seq: number;
  prompt: string;
  delivery: Delivery;
  state: AdmissionState;
  options: string;
  created_at: string;
  promoted_seq: number | null;
  turn_id: string | null;
}

export function admissionTable(db: Preparer): Sync<AdmissionReads & AdmissionWrites> {
  // Positional, as events' (binding by name reads each parameter off an object).
  const insert = db.prepare(`INSERT INTO admissions (id, thread_id, admitted_seq, prompt, delivery, state, options, created_at, position)
    VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`);
  const updatePrompt = db.prepare("UPDATE admissions SET prompt = ? WHERE id = ? AND state = 'pending'");
  const setPosition = db.prepare('UPDATE admissions SET position = ? WHERE id = ?');
  const positions = db.prepare<[string], { position: number }>(
    "SELECT position FROM admissions WHERE thread_id = ? AND state = 'pending' ORDER BY position",
  );
  const find = db.prepare<[string], AdmissionRow>('SELECT * FROM admissions WHERE id = ?');
  const pending = db.prepare<[string], AdmissionRow>(
    "SELECT * FROM admissions WHERE thread_id = ? AND state = 'pending' ORDER BY position",
  );
  const oldest = db.prepare<[string], AdmissionRow>(
    "SELECT * FROM admissions WHERE thread_id = ? AND state = 'pending' ORDER BY position LIMIT 1",
  );
  const count = db.prepare<[string], { n: number }>('SELECT queued_count AS n FROM threads WHERE id = ?');
  const adjustQueued = db.prepare('UPDATE threads SET queued_count = queued_count + ? WHERE id = ?');
  // RETURNING: the row as changed (and its thread), with no read before or after the UPDATE.
  const promote = db.prepare<[number, string, string], AdmissionRow>(
    "UPDATE admissions SET state = 'promoted', promoted_seq = ?, turn_id = ? WHERE id = ? AND state = 'pending' RETURNING *",
  );
  const cancel = db.prepare<[string], { thread_id: string }>(
    "UPDATE admissions SET state = 'cancelled' WHERE id = ? AND state = 'pending' RETURNING thread_id",
  );

  const toAdmission = (row: AdmissionRow): Admission => ({
    id: row.id,
    threadId: row.thread_id,
    admittedSeq: row.admitted_seq,
    prompt: row.prompt,
    delivery: row.delivery,
    state: row.state,
    createdAt: row.created_at,
    promotedSeq: opt(row.promoted_seq),
    turnId: opt(row.turn_id),
  });
  const toStored = (row: AdmissionRow): StoredAdmission => ({
    admission: toAdmission(row),
    options: JSON.parse(row.options) as StoredAdmission['options'],
  });

  return {
    insert: (a: NewAdmission): Admission => {
      const options = JSON.stringify(a.options);
      insert.run(a.id, a.threadId, a.admittedSeq, a.prompt, a.delivery, options, a.now, a.admittedSeq);
      adjustQueued.run(1, a.threadId);
      // As a read would answer it: the row just written, with the same mapping.
      return toAdmission({ id: a.id, thread_id: a.threadId, admitted_seq: a.admittedSeq, prompt: a.prompt, delivery: a.delivery,
        state: 'pending', options, created_at: a.now, promoted_seq: null, turn_id: null });
    },
    find: (id: string): Admission | undefined => {
      const row = find.get(id);
      return row && toAdmission(row);
    },
    listPending: (threadId: string): Admission[] => pending.all(threadId).map(toAdmission),
    findOldestPending: (threadId: string): StoredAdmission | undefined => {
      const row = oldest.get(threadId);
      return row && toStored(row);
    },
    countPending: (threadId: string): number => count.get(threadId)!.n,
    markPromoted: (id: string, promotedSeq: number, turnId: string): Admission | undefined => {
      const row = promote.get(promotedSeq, turnId, id);
      if (!row) return undefined;
      adjustQueued.run(-1, row.thread_id);
      return toAdmission(row);
    },
    updatePrompt: (id: string, prompt: string): boolean => updatePrompt.run(prompt, id).changes === 1,
    // The same positions, handed out in the new order: promotion reads them, also after a restart.
    reorder: (threadId: string, ids: string[]) => {
      const taken = positions.all(threadId).map((r) => r.position);
      ids.forEach((id, i) => setPosition.run(taken[i], id));
    },
    markCancelled: (id: string): boolean => {
      const row = cancel.get(id);
      if (!row) return false;
      adjustQueued.run(-1, row.thread_id);
      return true;
    },
  };
}
