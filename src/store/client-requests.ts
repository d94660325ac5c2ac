import type Database from 'better-sqlite3';

/** What the first call with a `clientRequestId` produced, to answer its repeats. */
export interface ClientRequestRecord {
  turnId: string;
  admissionId: string;
  queued: boolean;
}

export function clientRequestStatements(db: Database.Database) {
  const find = db.prepare<[string, string], { turn_id: string; admission_id: string; queued: number }>(
    'SELECT turn_id, admission_id, queued FROM client_requests WHERE thread_id = ? AND client_request_id = ?',
  );
  const insert = db.prepare(`INSERT INTO client_requests (thread_id, client_request_id, turn_id, admission_id, queued, created_at)
    VALUES (?, ?, ?, ?, ?, ?)`);
  return {
    findClientRequest: (threadId: string, clientRequestId: string): ClientRequestRecord | undefined => {
      const row = find.get(threadId, clientRequestId);
      return row && { turnId: row.turn_id, admissionId: row.admission_id, queued: row.queued !== 0 };
    },
    insertClientRequest: (threadId: string, clientRequestId: string, r: ClientRequestRecord, now: string) =>
      insert.run(threadId, clientRequestId, r.turnId, r.admissionId, r.queued ? 1 : 0, now),
  };
}

export type ClientRequestStatements = ReturnType<typeof clientRequestStatements>;
