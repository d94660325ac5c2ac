import type { Preparer } from '../lazy-statements.js';
import type { ClientRequestReads, ClientRequestRecord, ClientRequestWrites } from '../../port.js';
import type { Sync } from '../settled.js';

export function clientRequestTable(db: Preparer): Sync<ClientRequestReads & ClientRequestWrites> {
  const find = db.prepare<[string, string], { turn_id: string; admission_id: string; queued: number }>(
    'SELECT turn_id, admission_id, queued FROM client_requests WHERE thread_id = ? AND client_request_id = ?',
  );
  const insert = db.prepare(`INSERT INTO client_requests (thread_id, client_request_id, turn_id, admission_id, queued, created_at)
    VALUES (?, ?, ?, ?, ?, ?)`);
  return {
    find: (threadId: string, clientRequestId: string): ClientRequestRecord | undefined => {
      const row = find.get(threadId, clientRequestId);
      return row && { turnId: row.turn_id, admissionId: row.admission_id, queued: row.queued !== 0 };
    },
    insert: (threadId: string, clientRequestId: string, r: ClientRequestRecord, now: string) => {
      insert.run(threadId, clientRequestId, r.turnId, r.admissionId, r.queued ? 1 : 0, now);
    },
  };
}
