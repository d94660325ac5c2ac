import type { Preparer } from '../lazy-statements.js';
import type Database from 'better-sqlite3';
import { redactMcpServers, type ContextUsage, type McpServerSpec, type Thread, type ThreadStatus } from '@threadline/protocol';
import type { NewThread, ThreadPageKey, ThreadReads, ThreadSettings, ThreadWrites } from '../../port.js';
import type { Sync } from '../settled.js';
import { columnIndex, fromBool, opt, toBool, type ValuesOf } from './rows.js';
import { searchIndex } from './search-index.js';

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
  forked_from_thread: string | null;
  forked_from_turn: string | null;
  imported_from: string | null;
  preview: string | null;
  context_usage: string | null;
  mcp_servers: string | null;
}

/** The columns `toThread` reads, in the order every thread read selects them (raw rows). */
const THREAD_COLUMNS = [
  'id',
  'title',
  'archived',
  'model',
  'mode',
  'cwd',
  'system_prompt',
  'auto_approve',
  'trust_mode',
  'metadata',
  'running_turn_id',
  'latest_turn_id',
  'last_seq',
  'created_at',
  'updated_at',
  'queued_count',
  'forked_from_thread',
  'forked_from_turn',
  'imported_from',
  'preview',
  'context_usage',
  'mcp_servers',
] as const satisfies readonly (keyof ThreadRow)[];
const at = columnIndex(THREAD_COLUMNS);

/** A raw row that begins with a thread's columns (a read may select more after them). */
export type ThreadValues = ValuesOf<ThreadRow, typeof THREAD_COLUMNS>;
/** How many values of a raw row are the thread's: what a read selects after them starts here. */
export const THREAD_VALUES = THREAD_COLUMNS.length;
/** The thread's columns of `t` for a SELECT, in THREAD_COLUMNS's order. */
export const THREAD_SELECT_LIST = THREAD_COLUMNS.map((column) => `t.${column}`).join(', ');

const SELECT = `SELECT ${THREAD_SELECT_LIST} FROM threads t`;

export function threadTable(db: Preparer): Sync<ThreadReads & ThreadWrites> {
  const insert = db.prepare(`INSERT INTO threads (id, title, model, mode, cwd, system_prompt, auto_approve, trust_mode, metadata,
      forked_from_thread, forked_from_turn, imported_from, mcp_servers, created_at, updated_at)
    VALUES (@id, @title, @model, @mode, @cwd, @systemPrompt, @autoApprove, @trustMode, @metadata,
      @forkedFromThread, @forkedFromTurn, @importedFrom, @mcpServers, @now, @now)`);
  const setContextUsage = db.prepare('UPDATE threads SET context_usage = ? WHERE id = ?');
  const mcpServers = db.prepare<[string], { mcp_servers: string | null }>('SELECT mcp_servers FROM threads WHERE id = ?');
  const find = db.prepare<[string], ThreadValues>(`${SELECT} WHERE t.id = ?`).raw();
  const runState = db.prepare<[string], { running_turn_id: string | null; archived: number; history_rev: number }>(
    'SELECT running_turn_id, archived, history_rev FROM threads WHERE id = ?',
  );
  const bumpHistoryRev = db.prepare('UPDATE threads SET history_rev = history_rev + 1 WHERE id = ?');
  const updateSettings = db.prepare(`UPDATE threads SET title = @title, model = @model, mode = @mode,
    system_prompt = @systemPrompt, auto_approve = @autoApprove, trust_mode = @trustMode, metadata = @metadata,
    updated_at = @now WHERE id = @id`);
  const titleOf = db.prepare<[string], { title: string }>('SELECT title FROM threads WHERE id = ?');
  const search = searchIndex(db);
  const setArchived = db.prepare('UPDATE threads SET archived = ?, updated_at = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM threads WHERE id = ?');
  const nextSeq = db.prepare<[string], { last_seq: number }>(
    'UPDATE threads SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq',
  );
  const setRunning = db.prepare(`UPDATE threads SET running_turn_id = ?, latest_turn_id = ?, updated_at = ?,
    lease_owner = ?, lease_expires_at = ? WHERE id = ?`);
  const clearRunning = db.prepare(`UPDATE threads SET running_turn_id = NULL, lease_owner = NULL, lease_expires_at = NULL,
    updated_at = ? WHERE id = ? AND running_turn_id = ?`);
  // One statement per (status filter, first page or not), prepared on first use.
  const listStatements = new Map<string, Database.Statement<unknown[], ThreadValues>>();
  const listStatement = (status: ThreadStatus | undefined, after: boolean) => {
    const key = `${status ?? 'any'}:${after}`;
    let statement = listStatements.get(key);
    if (!statement) {
      const byStatus = status === undefined ? '' : ` AND (t.running_turn_id IS NULL) = ${status === 'idle' ? 1 : 0}`;
      const keyset = after ? ' AND (t.updated_at < ? OR (t.updated_at = ? AND t.id < ?))' : '';
      statement = db
        .prepare<unknown[], ThreadValues>(`${SELECT} WHERE t.archived = ?${byStatus}${keyset} ORDER BY t.updated_at DESC, t.id DESC LIMIT ?`)
        .raw();
      listStatements.set(key, statement);
    }
    return statement;
  };
  const lastSeq = db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM threads WHERE id = ?');

  return {
    insert: (t: NewThread) => {
      insert.run({
        ...t,
        model: t.model ?? null,
        mode: t.mode ?? null,
        cwd: t.cwd ?? null,
        systemPrompt: t.systemPrompt ?? null,
        autoApprove: fromBool(t.autoApprove),
        trustMode: fromBool(t.trustMode),
        metadata: JSON.stringify(t.metadata),
        forkedFromThread: t.forkedFrom?.threadId ?? null,
        forkedFromTurn: t.forkedFrom?.turnId ?? null,
        importedFrom: t.importedFrom ?? null,
        mcpServers: t.mcpServers && t.mcpServers.length > 0 ? JSON.stringify(t.mcpServers) : null,
        forkedFrom: undefined,
      });
      search.addThread(t.id, t.title);
    },
    find: (id: string): Thread | undefined => {
      const row = find.get(id);
      return row && toThread(row);
    },
    runState: (id: string) => {
      const row = runState.get(id);
      return row && { runningTurnId: row.running_turn_id, archived: toBool(row.archived), historyRev: row.history_rev };
    },
    updateSettings: (id: string, s: ThreadSettings, now: string) => {
      const before = titleOf.get(id);
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
      });
      if (before && before.title !== s.title) search.retitle(id, s.title);
    },
    setArchived: (id: string, archived: boolean, now: string) => {
      setArchived.run(fromBool(archived), now, id);
    },
    delete: (id: string) => {
      search.removeThread(id);
      remove.run(id);
    },
    nextSeq: (id: string): number => nextSeq.get(id)!.last_seq,
    lastSeq: (id: string): number | undefined => lastSeq.get(id)?.last_seq,
    setRunningTurn: (id, turnId, now, lease) => {
      setRunning.run(turnId, turnId, now, lease.owner, lease.expiresAt, id);
    },
    clearRunningTurn: (id, turnId, now) => {
      clearRunning.run(now, id, turnId);
    },
    list: (archived: boolean, limit: number, after?: ThreadPageKey, status?: ThreadStatus): Thread[] => {
      const rows = after
        ? listStatement(status, true).all(fromBool(archived), after.updatedAt, after.updatedAt, after.id, limit)
        : listStatement(status, false).all(fromBool(archived), limit);
      return rows.map(toThread);
    },
    bumpHistoryRev: (id: string) => {
      bumpHistoryRev.run(id);
    },
    setContextUsage: (id: string, usage: ContextUsage | null) => {
      setContextUsage.run(usage === null ? null : JSON.stringify(usage), id);
    },
    mcpServers: (id: string): McpServerSpec[] => {
      const raw = mcpServers.get(id)?.mcp_servers;
      return raw ? (JSON.parse(raw) as McpServerSpec[]) : [];
    },
  };
}

export function toThread(r: ThreadValues): Thread {
  const mcpServers = r[at.mcp_servers];
  const contextUsage = r[at.context_usage];
  const forkedFrom = r[at.forked_from_thread];
  return {
    id: r[at.id],
    title: r[at.title],
    status: r[at.running_turn_id] ? 'running' : 'idle',
    archived: toBool(r[at.archived]),
    model: opt(r[at.model]),
    mode: opt(r[at.mode]),
    cwd: opt(r[at.cwd]),
    systemPrompt: opt(r[at.system_prompt]),
    autoApprove: toBool(r[at.auto_approve]),
    trustMode: toBool(r[at.trust_mode]),
    metadata: JSON.parse(r[at.metadata]) as Record<string, unknown>,
    latestTurnId: opt(r[at.latest_turn_id]),
    createdAt: r[at.created_at],
    updatedAt: r[at.updated_at],
    lastSeq: r[at.last_seq],
    queuedCount: r[at.queued_count],
    forkedFrom: forkedFrom === null ? undefined : { threadId: forkedFrom, turnId: opt(r[at.forked_from_turn]) },
    importedFrom: opt(r[at.imported_from]),
    preview: opt(r[at.preview]),
    contextUsage: contextUsage === null ? undefined : (JSON.parse(contextUsage) as ContextUsage),
    // Every Thread leaves the process (results, events, exports): its servers' secrets never do.
    mcpServers: mcpServers === null ? undefined : redactMcpServers(JSON.parse(mcpServers) as McpServerSpec[]),
  };
}
