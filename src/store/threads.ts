import type Database from 'better-sqlite3';
import type { Thread } from '@threadline/protocol';
import { fromBool, opt, toBool } from './rows.js';

interface ThreadRow {
  id: string;
  title: string;
  archived: number;
  model: string | null;
  mode: string | null;
  cwd: string | null;
  system_prompt: string | null;
  auto_approve: number;
  trust_mode: number;
  metadata: string;
  running_turn_id: string | null;
  latest_turn_id: string | null;
  last_seq: number;
  created_at: string;
  updated_at: string;
  queued_count: number;
}

export interface NewThread {
  id: string;
  title: string;
  model?: string;
  mode?: string;
  cwd?: string;
  systemPrompt?: string;
  autoApprove: boolean;
  trustMode: boolean;
  metadata: Record<string, unknown>;
  now: string;
}

export interface ThreadSettings {
  title: string;
  model: string | null;
  mode: string | null;
  systemPrompt: string | null;
  autoApprove: boolean;
  trustMode: boolean;
  metadata: Record<string, unknown>;
}

export interface ThreadPageKey {
  updatedAt: string;
  id: string;
}

const SELECT = 'SELECT t.* FROM threads t';

export function threadStatements(db: Database.Database) {
  const insert = db.prepare(`INSERT INTO threads (id, title, model, mode, cwd, system_prompt, auto_approve, trust_mode, metadata, created_at, updated_at)
    VALUES (@id, @title, @model, @mode, @cwd, @systemPrompt, @autoApprove, @trustMode, @metadata, @now, @now)`);
  const find = db.prepare<[string], ThreadRow>(`${SELECT} WHERE t.id = ?`);
  const exists = db.prepare<[string], { running_turn_id: string | null; archived: number }>(
    'SELECT running_turn_id, archived FROM threads WHERE id = ?',
  );
  const updateSettings = db.prepare(`UPDATE threads SET title = @title, model = @model, mode = @mode,
    system_prompt = @systemPrompt, auto_approve = @autoApprove, trust_mode = @trustMode, metadata = @metadata,
    updated_at = @now WHERE id = @id`);
  const setArchived = db.prepare('UPDATE threads SET archived = ?, updated_at = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM threads WHERE id = ?');
  const nextSeq = db.prepare<[string], { last_seq: number }>(
    'UPDATE threads SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq',
  );
  const setRunning = db.prepare(`UPDATE threads SET running_turn_id = ?, latest_turn_id = ?, updated_at = ?,
    lease_owner = ?, lease_expires_at = ? WHERE id = ?`);
  const clearRunning = db.prepare(`UPDATE threads SET running_turn_id = NULL, lease_owner = NULL, lease_expires_at = NULL,
    updated_at = ? WHERE id = ? AND running_turn_id = ?`);
  const listFirst = db.prepare<[number, number], ThreadRow>(
    `${SELECT} WHERE t.archived = ? ORDER BY t.updated_at DESC, t.id DESC LIMIT ?`,
  );
  const listAfter = db.prepare<[number, string, string, string, number], ThreadRow>(
    `${SELECT} WHERE t.archived = ? AND (t.updated_at < ? OR (t.updated_at = ? AND t.id < ?))
     ORDER BY t.updated_at DESC, t.id DESC LIMIT ?`,
  );
  const lastSeq = db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM threads WHERE id = ?');

  return {
    insertThread: (t: NewThread) =>
      insert.run({
        ...t,
        model: t.model ?? null,
        mode: t.mode ?? null,
        cwd: t.cwd ?? null,
        systemPrompt: t.systemPrompt ?? null,
        autoApprove: fromBool(t.autoApprove),
        trustMode: fromBool(t.trustMode),
        metadata: JSON.stringify(t.metadata),
      }),
    findThread: (id: string): Thread | undefined => {
      const row = find.get(id);
      return row && toThread(row);
    },
    /** The two facts most operations need, without building the whole record. */
    findThreadState: (id: string) => {
      const row = exists.get(id);
      return row && { runningTurnId: row.running_turn_id, archived: toBool(row.archived) };
    },
    updateThreadSettings: (id: string, s: ThreadSettings, now: string) =>
      updateSettings.run({
        id,
        now,
        title: s.title,
        model: s.model,
        mode: s.mode,
        systemPrompt: s.systemPrompt,
        autoApprove: fromBool(s.autoApprove),
        trustMode: fromBool(s.trustMode),
        metadata: JSON.stringify(s.metadata),
      }),
    setThreadArchived: (id: string, archived: boolean, now: string) => setArchived.run(fromBool(archived), now, id),
    deleteThread: (id: string) => remove.run(id),
    /** Allocates the thread's next event seq (gap-free: only inside the transaction that writes it). */
    nextSeq: (id: string): number => nextSeq.get(id)!.last_seq,
    lastSeq: (id: string): number | undefined => lastSeq.get(id)?.last_seq,
    /** The turn runs, leased to `lease.owner` until `lease.expiresAt` (the same transaction begins it). */
    setRunningTurn: (id: string, turnId: string, now: string, lease: { owner: string; expiresAt: string }) =>
      setRunning.run(turnId, turnId, now, lease.owner, lease.expiresAt, id),
    /** The turn ended: the thread is idle and its lease released. */
    clearRunningTurn: (id: string, turnId: string, now: string) => clearRunning.run(now, id, turnId),
    listThreads: (archived: boolean, limit: number, after?: ThreadPageKey): Thread[] => {
      const rows = after
        ? listAfter.all(fromBool(archived), after.updatedAt, after.updatedAt, after.id, limit)
        : listFirst.all(fromBool(archived), limit);
      return rows.map(toThread);
    },
  };
}

export type ThreadStatements = ReturnType<typeof threadStatements>;

function toThread(row: ThreadRow): Thread {
  return {
    id: row.id,
    title: row.title,
    status: row.running_turn_id ? 'running' : 'idle',
    archived: toBool(row.archived),
    model: opt(row.model),
    mode: opt(row.mode),
    cwd: opt(row.cwd),
    systemPrompt: opt(row.system_prompt),
    autoApprove: toBool(row.auto_approve),
    trustMode: toBool(row.trust_mode),
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    latestTurnId: opt(row.latest_turn_id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeq: row.last_seq,
    queuedCount: row.queued_count,
  };
}
