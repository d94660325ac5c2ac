import { redactMcpServers, type ContextUsage, type McpServerSpec, type Thread, type ThreadStatus } from '@threadline/protocol';
import type { NewThread, ThreadPageKey, ThreadReads, ThreadSettings, ThreadWrites } from '../../port.js';
import type { Ctx } from '../db.js';
import { opt } from './rows.js';

interface ThreadRow {
  id: string;
  title: string;
  archived: boolean;
  model: string | null;
  mode: string | null;
  cwd: string | null;
  system_prompt: string | null;
  auto_approve: boolean;
  trust_mode: boolean;
  metadata: string;
  running_turn_id: string | null;
  latest_turn_id: string | null;
  last_seq: number;
  created_at: string;
  updated_at: string;
  queued_count: number;
  forked_from_thread: string | null;
  forked_from_turn: string | null;
  imported_from: string | null;
  preview: string | null;
  context_usage: string | null;
  mcp_servers: string | null;
}

const SELECT = 'SELECT t.* FROM threads t';

export function threadTable({ sql, locks }: Ctx): ThreadReads & ThreadWrites {
  return {
    insert: async (t: NewThread) => {
      await sql.run(
        `INSERT INTO threads (id, title, model, mode, cwd, system_prompt, auto_approve, trust_mode, metadata,
          forked_from_thread, forked_from_turn, imported_from, created_at, updated_at, mcp_servers)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)`,
        [t.id, t.title, t.model ?? null, t.mode ?? null, t.cwd ?? null, t.systemPrompt ?? null, t.autoApprove, t.trustMode,
          JSON.stringify(t.metadata), t.forkedFrom?.threadId ?? null, t.forkedFrom?.turnId ?? null, t.importedFrom ?? null, t.now,
          t.mcpServers && t.mcpServers.length > 0 ? JSON.stringify(t.mcpServers) : null],
      );
      locks.locked(t.id); // the inserting transaction holds the new row until it commits
    },
    find: async (id: string): Promise<Thread | undefined> => {
      await locks.thread(id);
      const [row] = await sql.rows<ThreadRow>(`${SELECT} WHERE t.id = $1`, [id]);
      return row && toThread(row);
    },
    runState: async (id: string) => {
      await locks.thread(id);
      const [row] = await sql.rows<{ running_turn_id: string | null; archived: boolean; history_rev: number }>(
        'SELECT running_turn_id, archived, history_rev FROM threads WHERE id = $1',
        [id],
      );
      return row && { runningTurnId: row.running_turn_id, archived: row.archived, historyRev: row.history_rev };
    },
    updateSettings: async (id: string, s: ThreadSettings, now: string) => {
      await locks.thread(id);
      await sql.run(
        `UPDATE threads SET title = $2, model = $3, mode = $4, system_prompt = $5, auto_approve = $6, trust_mode = $7,
          metadata = $8, updated_at = $9 WHERE id = $1`,
        [id, s.title, s.model, s.mode, s.systemPrompt, s.autoApprove, s.trustMode, JSON.stringify(s.metadata), now],
      );
    },
    setArchived: async (id: string, archived: boolean, now: string) => {
      await locks.thread(id);
      await sql.run('UPDATE threads SET archived = $2, updated_at = $3 WHERE id = $1', [id, archived, now]);
    },
    delete: async (id: string) => {
      await locks.thread(id);
      await sql.run('DELETE FROM threads WHERE id = $1', [id]);
    },
    // The UPDATE locks the row itself: the hot path (one event) costs one round trip.
    nextSeq: async (id: string): Promise<number> => {
      const [row] = await sql.rows<{ last_seq: number }>('UPDATE threads SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq', [id]);
      if (!row) throw new Error(`no thread ${id} to allocate a seq of`);
      locks.locked(id);
      return row.last_seq;
    },
    lastSeq: async (id: string): Promise<number | undefined> => {
      await locks.thread(id);
      const [row] = await sql.rows<{ last_seq: number }>('SELECT last_seq FROM threads WHERE id = $1', [id]);
      return row?.last_seq;
    },
    setRunningTurn: async (id, turnId, now, lease) => {
      await locks.thread(id);
      await sql.run(
        `UPDATE threads SET running_turn_id = $2, latest_turn_id = $2, updated_at = $3, lease_owner = $4, lease_expires_at = $5
        WHERE id = $1`,
        [id, turnId, now, lease.owner, lease.expiresAt],
      );
    },
    clearRunningTurn: async (id, turnId, now) => {
      await locks.thread(id);
      await sql.run(
        `UPDATE threads SET running_turn_id = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
        WHERE id = $1 AND running_turn_id = $2`,
        [id, turnId, now],
      );
    },
    list: async (archived: boolean, limit: number, after?: ThreadPageKey, status?: ThreadStatus): Promise<Thread[]> => {
      const byStatus = status === undefined ? '' : ` AND (t.running_turn_id IS NULL) = ${status === 'idle'}`;
      const keyset = after ? ' AND (t.updated_at < $3 OR (t.updated_at = $3 AND t.id < $4))' : '';
      const text = `${SELECT} WHERE t.archived = $1${byStatus}${keyset} ORDER BY t.updated_at DESC, t.id DESC LIMIT $2`;
      const rows = await sql.rows<ThreadRow>(text, after ? [archived, limit, after.updatedAt, after.id] : [archived, limit]);
      return rows.map(toThread);
    },
    bumpHistoryRev: async (id: string) => {
      await locks.thread(id);
      await sql.run('UPDATE threads SET history_rev = history_rev + 1 WHERE id = $1', [id]);
    },
    setContextUsage: async (id: string, usage: ContextUsage | null) => {
      await locks.thread(id);
      await sql.run('UPDATE threads SET context_usage = $2 WHERE id = $1', [id, usage === null ? null : JSON.stringify(usage)]);
    },
    mcpServers: async (id: string): Promise<McpServerSpec[]> => {
      await locks.thread(id);
      const [row] = await sql.rows<{ mcp_servers: string | null }>('SELECT mcp_servers FROM threads WHERE id = $1', [id]);
      return row?.mcp_servers ? (JSON.parse(row.mcp_servers) as McpServerSpec[]) : [];
    },
  };
}

function toThread(row: ThreadRow): Thread {
  return {
    id: row.id,
    title: row.title,
    status: row.running_turn_id ? 'running' : 'idle',
    archived: row.archived,
    model: opt(row.model),
    mode: opt(row.mode),
    cwd: opt(row.cwd),
    systemPrompt: opt(row.system_prompt),
    autoApprove: row.auto_approve,
    trustMode: row.trust_mode,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    latestTurnId: opt(row.latest_turn_id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeq: row.last_seq,
    queuedCount: row.queued_count,
    forkedFrom: row.forked_from_thread === null ? undefined : { threadId: row.forked_from_thread, turnId: opt(row.forked_from_turn) },
    importedFrom: opt(row.imported_from),
    preview: opt(row.preview),
    contextUsage: row.context_usage === null ? undefined : (JSON.parse(row.context_usage) as ContextUsage),
    // Every Thread leaves the process (results, events, exports): its servers' secrets never do.
    mcpServers: row.mcp_servers === null ? undefined : redactMcpServers(JSON.parse(row.mcp_servers) as McpServerSpec[]),
  };
}
