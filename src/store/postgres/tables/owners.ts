import type { Thread } from '@threadline/protocol';
import type { Owner, OwnerReads, OwnerWrites, ThreadLease } from '../../port.js';
import type { Ctx } from '../db.js';
import type { LeaseRow } from './threads.js';

interface OwnerRow {
  id: string;
  pid: number;
  hostname: string;
  process_key: string;
  pid_namespace: string | null;
  lease_ttl_ms: number | null;
  machine_id: string | null;
  started_at: string;
  heartbeat_at: string;
}

const toOwner = (r: OwnerRow): Owner => ({
  id: r.id,
  pid: r.pid,
  hostname: r.hostname,
  processKey: r.process_key,
  pidNamespace: r.pid_namespace,
  leaseTtlMs: r.lease_ttl_ms,
  machineId: r.machine_id,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
});

export function ownerTable(
  { sql, locks }: Ctx,
  threads: { find(id: string): Promise<Thread | undefined>; leaseRow(id: string): Promise<LeaseRow | undefined> },
): OwnerReads & OwnerWrites {
  const find = async (id: string) => (await sql.rows<OwnerRow>('SELECT * FROM owners WHERE id = $1', [id]))[0];
  // Expiry judged by the database's clock: now() is the transaction's start, the same instant
  // as tx.now, whatever this server's own clock says. Read with the thread's row (threads.ts's
  // FIND): after the operation's own read of its thread, no round trip; the owner is read
  // again only when this transaction wrote `owners` since.
  const threadLease = async (threadId: string): Promise<ThreadLease | undefined> => {
    const lease = await threads.leaseRow(threadId);
    if (!lease) return undefined;
    const { owner: ownerRow, ownerCurrent, ...rest } = lease;
    const owner = rest.ownerId === null ? undefined : ownerCurrent ? ((ownerRow as OwnerRow | null) ?? undefined) : await find(rest.ownerId);
    return { ...rest, owner: owner && toOwner(owner) };
  };
  return {
    upsert: async (o: Owner) => {
      await sql.run(
        `INSERT INTO owners (id, pid, hostname, process_key, pid_namespace, lease_ttl_ms, machine_id, started_at, heartbeat_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
        [o.id, o.pid, o.hostname, o.processKey, o.pidNamespace, o.leaseTtlMs, o.machineId, o.startedAt, o.heartbeatAt],
      );
    },
    find: async (id: string): Promise<Owner | undefined> => {
      const row = await find(id);
      return row && toOwner(row);
    },
    // SKIP LOCKED: a thread another server is writing right now keeps its expiry until the next
    // heartbeat (a third of the ttl later) rather than making this one wait. Waiting held the rows
    // renewed so far while it queued behind other servers' batches: the convoy and most of the
    // deadlocks of a fleet (bench row 15). A row busy at every heartbeat for a whole ttl lets its
    // lease expire, as waiting did (a heartbeat that waited past lock_timeout renewed nothing).
    renewLeases: async (ownerId: string, expiresAt: string) => {
      await sql.run(
        'UPDATE threads SET lease_expires_at = $2 WHERE id IN (SELECT id FROM threads WHERE lease_owner = $1 FOR UPDATE SKIP LOCKED)',
        [ownerId, expiresAt],
      );
    },
    delete: async (id: string) => {
      await sql.run('DELETE FROM owners WHERE id = $1', [id]);
    },
    // Each owner by its own ttl: a process with a tiny --lease-ttl must not forget a live one.
    deleteStale: (now: string, ttls: number, unknownTtlMs: number): Promise<number> =>
      sql.run(
        `DELETE FROM owners
        WHERE extract(epoch FROM ($1::timestamptz - heartbeat_at::timestamptz)) * 1000 > $2 * coalesce(lease_ttl_ms, $3)
          AND id NOT IN (SELECT lease_owner FROM threads WHERE lease_owner IS NOT NULL)`,
        [now, ttls, unknownTtlMs],
      ),
    threadLease,
    // Both from the one row threads.ts's FIND reads.
    threadWithLease: async (threadId: string) => {
      const thread = await threads.find(threadId);
      const lease = thread && (await threadLease(threadId));
      return thread && lease && { thread, lease };
    },
    holdsLease: async (threadId: string, turnId: string, ownerId: string): Promise<boolean> => {
      await locks.thread(threadId);
      const rows = await sql.rows('SELECT 1 FROM threads WHERE id = $1 AND running_turn_id = $2 AND lease_owner = $3', [threadId, turnId, ownerId]);
      return rows.length > 0;
    },
    leasesOf: async (ownerId: string) => {
      const rows = await sql.rows<{ id: string; running_turn_id: string | null }>('SELECT id, running_turn_id FROM threads WHERE lease_owner = $1', [ownerId]);
      return rows.map((r) => ({ threadId: r.id, runningTurnId: r.running_turn_id }));
    },
  };
}
