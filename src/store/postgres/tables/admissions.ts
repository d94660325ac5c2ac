import type { Admission, AdmissionState, Delivery } from '@threadline/protocol';
import type { AdmissionReads, AdmissionWrites, NewAdmission, StoredAdmission } from '../../port.js';
import type { Ctx } from '../db.js';
import { opt } from './rows.js';

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

const PENDING = "SELECT * FROM admissions WHERE thread_id = $1 AND state = 'pending' ORDER BY position";

export function admissionTable({ sql, locks }: Ctx): AdmissionReads & AdmissionWrites {
  /**
   * Leaves `pending` once: the conditional UPDATE is what makes promotion exactly-once among
   * writers. Returns the row as changed, undefined when it was not pending.
   */
  const leavePending = async (id: string, set: string, values: unknown[]): Promise<AdmissionRow | undefined> => {
    await locks.threadOf('admissions', id);
    const [row] = await sql.rows<AdmissionRow>(`UPDATE admissions SET ${set} WHERE id = $1 AND state = 'pending' RETURNING *`, [id, ...values]);
    if (!row) return undefined;
    sql.send('UPDATE threads SET queued_count = queued_count - 1 WHERE id = $1', [row.thread_id]);
    return row;
  };

  return {
    insert: async (a: NewAdmission): Promise<Admission> => {
      await locks.thread(a.threadId);
      const options = JSON.stringify(a.options);
      sql.send(
        `INSERT INTO admissions (id, thread_id, admitted_seq, prompt, delivery, state, options, created_at, position)
        VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $3)`,
        [a.id, a.threadId, a.admittedSeq, a.prompt, a.delivery, options, a.now],
      );
      sql.send('UPDATE threads SET queued_count = queued_count + 1 WHERE id = $1', [a.threadId]);
      // As a read would answer it (no round trip): the row just sent, with the same mapping.
      return toAdmission({ id: a.id, thread_id: a.threadId, admitted_seq: a.admittedSeq, prompt: a.prompt, delivery: a.delivery,
        state: 'pending', options, created_at: a.now, promoted_seq: null, turn_id: null });
    },
    find: async (id: string): Promise<Admission | undefined> => {
      const [row] = await sql.rows<AdmissionRow>('SELECT * FROM admissions WHERE id = $1', [id]);
      return row && toAdmission(row);
    },
    listPending: async (threadId: string): Promise<Admission[]> => {
      await locks.thread(threadId);
      return (await sql.rows<AdmissionRow>(PENDING, [threadId])).map(toAdmission);
    },
    findOldestPending: async (threadId: string): Promise<StoredAdmission | undefined> => {
      await locks.thread(threadId);
      const [row] = await sql.rows<AdmissionRow>(`${PENDING} LIMIT 1`, [threadId]);
      return row && { admission: toAdmission(row), options: JSON.parse(row.options) as StoredAdmission['options'] };
    },
    countPending: async (threadId: string): Promise<number> => {
      await locks.thread(threadId);
      const [row] = await sql.rows<{ n: number }>('SELECT queued_count AS n FROM threads WHERE id = $1', [threadId]);
      return row?.n ?? 0;
    },
    markPromoted: async (id: string, promotedSeq: number, turnId: string): Promise<Admission | undefined> => {
      const row = await leavePending(id, "state = 'promoted', promoted_seq = $2, turn_id = $3", [promotedSeq, turnId]);
      return row && toAdmission(row);
    },
    markCancelled: async (id: string): Promise<boolean> => (await leavePending(id, "state = 'cancelled'", [])) !== undefined,
    updatePrompt: async (id: string, prompt: string): Promise<boolean> => {
      await locks.threadOf('admissions', id);
      return (await sql.run("UPDATE admissions SET prompt = $2 WHERE id = $1 AND state = 'pending'", [id, prompt])) === 1;
    },
    // The same positions, handed out in the new order: promotion reads them, also after a restart.
    reorder: async (threadId: string, ids: string[]) => {
      await locks.thread(threadId);
      const taken = await sql.rows<{ position: number }>(
        "SELECT position FROM admissions WHERE thread_id = $1 AND state = 'pending' ORDER BY position",
        [threadId],
      );
      sql.send(
        'UPDATE admissions a SET position = n.position FROM unnest($1::text[], $2::bigint[]) AS n (id, position) WHERE a.id = n.id',
        [ids, ids.map((_, i) => taken[i]?.position ?? null)],
      );
    },
  };
}
