import type { Owner, OwnerReads, OwnerWrites, ThreadLease } from '../../port.js';
import type { Ctx } from '../db.js';

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

export function ownerTable({ sql, locks }: Ctx): OwnerReads & OwnerWrites {
  const find = async (id: string) => (await sql.rows<OwnerRow>('SELECT * FROM owners WHERE id = $1', [id]))[0];
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
    renewLeases: async (ownerId: string, expiresAt: string) => {
      await sql.run('UPDATE threads SET lease_expires_at = $2 WHERE lease_owner = $1', [ownerId, expiresAt]);
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
    // Expiry judged by the database's clock: now() is the transaction's start, the same instant
    // as tx.now, whatever this server's own clock says.
    threadLease: async (threadId: string): Promise<ThreadLease | undefined> => {
      await locks.thread(threadId);
      const [row] = await sql.rows<{ running_turn_id: string | null; lease_owner: string | null; lease_expires_at: string | null; expired: boolean }>(
        `SELECT running_turn_id, lease_owner, lease_expires_at, coalesce(lease_expires_at::timestamptz <= now(), true) AS expired
        FROM threads WHERE id = $1`,
        [threadId],
      );
      if (!row) return undefined;
      const owner = row.lease_owner === null ? undefined : await find(row.lease_owner);
      return { runningTurnId: row.running_turn_id, ownerId: row.lease_owner, expiresAt: row.lease_expires_at, expired: row.expired, owner: owner && toOwner(owner) };
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
