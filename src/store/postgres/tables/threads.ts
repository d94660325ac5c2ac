import { redactMcpServers, type ContextUsage, type McpServerSpec, type Thread, type ThreadStatus } from '@threadline/protocol';
import type { NewThread, ThreadPageKey, ThreadReads, ThreadSettings, ThreadWrites } from '../../port.js';
import type { Ctx } from '../db.js';
import { opt } from './rows.js';

export interface ThreadRow {
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
  history_rev: number;
  forked_from_thread: string | null;
  forked_from_turn: string | null;
  imported_from: string | null;
  preview: string | null;
  context_usage: string | null;
  mcp_servers: string | null;
}

const SELECT = 'SELECT t.* FROM threads t';

/**
 * One thread with its lease as the transaction's clock judges it and its lease owner's row: an
 * operation reads its thread and then who holds it (owners.ts's threadLease), in one round trip.
 */
const FIND = `SELECT t.*, coalesce(t.lease_expires_at::timestamptz <= now(), true) AS lease_expired,
    CASE WHEN o.id IS NULL THEN NULL ELSE to_jsonb(o) END AS lease_owner_row
  FROM threads t LEFT JOIN owners o ON o.id = t.lease_owner WHERE t.id = $1`;

/** A thread's lease as its row read it (`owner`: the owner's row then, null when it had none). */
export interface LeaseRow {
  runningTurnId: string | null;
  ownerId: string | null;
  expiresAt: string | null;
  expired: boolean;
  owner: Record<string, unknown> | null;
  /** false: the transaction wrote `owners` since the row was read; read the owner again. */
  ownerCurrent: boolean;
}

type FoundRow = ThreadRow & { lease_owner: string | null; lease_expires_at: string | null; lease_expired: boolean; lease_owner_row: Record<string, unknown> | null };

/**
 * Allocates the next seq when the transaction knows the last one (db.ts's Locks.knownSeq): sent
 * with the seq expected, not awaited. Were the row not at `$2 - 1` after all (never, while the
 * transaction holds the lock), the division by a zero count fails the statement, and with it
 * the transaction: a seq handed out is never one the row did not give.
 */
const BUMP_EXPECTED = `WITH bumped AS (UPDATE threads SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
  SELECT 1 / (count(*) FILTER (WHERE last_seq = $2))::int AS ok FROM bumped`;

export function threadTable({ sql, locks }: Ctx): ThreadReads & ThreadWrites & { leaseRow(id: string): Promise<LeaseRow | undefined> } {
  /**
   * Thread rows read by this transaction, while no statement wrote the table since
   * (`sql.version`) but its own seq allocations (kept in step): in a write transaction they were
   * read under the thread's lock, in a read one from its snapshot, so they are what the database
   * holds. An operation reads its thread several times.
   */
  const cache = new Map<string, { row: FoundRow; version: number; owners: number }>();
  const findEntry = async (id: string) => {
    await locks.thread(id);
    const cached = cache.get(id);
    if (cached && cached.version === sql.version('threads')) return cached;
    const [row] = await sql.rows<FoundRow>(FIND, [id]);
    if (!row) return undefined;
    const entry = { row, version: sql.version('threads'), owners: sql.version('owners') };
    cache.set(id, entry);
    locks.seqIs(id, row.last_seq);
    return entry;
  };
  const findRow = async (id: string): Promise<FoundRow | undefined> => (await findEntry(id))?.row;
  /** Runs a seq allocation (one write of `threads`), keeping a row cached before it current. */
  const allocating = async (id: string, allocate: () => Promise<number>): Promise<number> => {
    const cached = cache.get(id);
    const current = cached !== undefined && cached.version === sql.version('threads');
    const seq = await allocate();
    if (current) cache.set(id, { ...cached, row: { ...cached.row, last_seq: seq }, version: sql.version('threads') });
    return seq;
  };
  return {
    insert: async (t: NewThread) => {
      sql.send(
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
      const row = await findRow(id);
      return row && toThread(row);
    },
    /** Not of the port: the thread's lease for owners.ts, from the row `find` reads (or read it). */
    leaseRow: async (id: string): Promise<LeaseRow | undefined> => {
      const entry = await findEntry(id);
      if (!entry) return undefined;
      const { row } = entry;
      return {
        runningTurnId: row.running_turn_id,
        ownerId: row.lease_owner,
        expiresAt: row.lease_expires_at,
        expired: row.lease_expired,
        owner: row.lease_owner_row,
        ownerCurrent: entry.owners === sql.version('owners'),
      };
    },
    runState: async (id: string) => {
      const row = await findRow(id);
      return row && { runningTurnId: row.running_turn_id, archived: row.archived, historyRev: row.history_rev };
    },
    updateSettings: async (id: string, s: ThreadSettings, now: string) => {
      await locks.thread(id);
      sql.send(
        `UPDATE threads SET title = $2, model = $3, mode = $4, system_prompt = $5, auto_approve = $6, trust_mode = $7,
          metadata = $8, updated_at = $9 WHERE id = $1`,
        [id, s.title, s.model, s.mode, s.systemPrompt, s.autoApprove, s.trustMode, JSON.stringify(s.metadata), now],
      );
    },
    setArchived: async (id: string, archived: boolean, now: string) => {
      await locks.thread(id);
      sql.send('UPDATE threads SET archived = $2, updated_at = $3 WHERE id = $1', [id, archived, now]);
    },
    delete: async (id: string) => {
      await locks.thread(id);
      sql.send('DELETE FROM threads WHERE id = $1', [id]);
      locks.seqIs(id, undefined);
    },
    // Known last seq (the thread read under its lock in this transaction): no round trip. Else
    // the UPDATE locks the row itself: one round trip.
    nextSeq: (id: string): Promise<number> =>
      allocating(id, async () => {
        const known = locks.knownSeq(id);
        if (known !== undefined) {
          sql.send(BUMP_EXPECTED, [id, known + 1]);
          locks.seqIs(id, known + 1);
          return known + 1;
        }
        const [row] = await sql.rows<{ last_seq: number }>('UPDATE threads SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq', [id]);
        if (!row) throw new Error(`no thread ${id} to allocate a seq of`);
        locks.locked(id);
        locks.seqIs(id, row.last_seq);
        return row.last_seq;
      }),
    lastSeq: async (id: string): Promise<number | undefined> => {
      await locks.thread(id);
      const known = locks.knownSeq(id);
      if (known !== undefined) return known;
      const [row] = await sql.rows<{ last_seq: number }>('SELECT last_seq FROM threads WHERE id = $1', [id]);
      if (row) locks.seqIs(id, row.last_seq);
      return row?.last_seq;
    },
    setRunningTurn: async (id, turnId, now, lease) => {
      await locks.thread(id);
      sql.send(
        `UPDATE threads SET running_turn_id = $2, latest_turn_id = $2, updated_at = $3, lease_owner = $4, lease_expires_at = $5
        WHERE id = $1`,
        [id, turnId, now, lease.owner, lease.expiresAt],
      );
    },
    clearRunningTurn: async (id, turnId, now) => {
      await locks.thread(id);
      sql.send(
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
      sql.send('UPDATE threads SET history_rev = history_rev + 1 WHERE id = $1', [id]);
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

export function toThread(row: ThreadRow): Thread {
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
