import type { ClientRequestReads, ClientRequestRecord, ClientRequestWrites } from '../../port.js';
import type { Ctx } from '../db.js';

export function clientRequestTable({ sql, locks }: Ctx): ClientRequestReads & ClientRequestWrites {
  return {
    find: async (threadId: string, clientRequestId: string): Promise<ClientRequestRecord | undefined> => {
      await locks.thread(threadId);
      const [row] = await sql.rows<{ turn_id: string; admission_id: string; queued: boolean }>(
        'SELECT turn_id, admission_id, queued FROM client_requests WHERE thread_id = $1 AND client_request_id = $2',
        [threadId, clientRequestId],
      );
      return row && { turnId: row.turn_id, admissionId: row.admission_id, queued: row.queued };
    },
    insert: async (threadId: string, clientRequestId: string, r: ClientRequestRecord, now: string) => {
      await locks.thread(threadId);
      sql.send(
        'INSERT INTO client_requests (thread_id, client_request_id, turn_id, admission_id, queued, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [threadId, clientRequestId, r.turnId, r.admissionId, r.queued, now],
      );
    },
  };
}
