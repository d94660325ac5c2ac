import type { Thread } from '@threadline/protocol';
import type { Preparer } from '../lazy-statements.js';
import type { Owner, OwnerReads, OwnerWrites, ThreadLease } from '../../port.js';
import type { Sync } from '../settled.js';
import { toThread, type ThreadRow } from './threads.js';

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

/**
 * A thread's lease with its holder's owner row joined, the owner's columns prefixed `o_` (they
 * share names with the thread's; all NULL when no owner row matches).
 */
type LeaseRow = { running_turn_id: string | null; lease_owner: string | null; lease_expires_at: string | null; expired: number } & {
  [K in keyof OwnerRow as `o_${K}`]: OwnerRow[K] | null;
};

// Expiry judged in SQL against the transaction's clock (ISO 8601 UTC text orders like time);
// the holder's owner row comes in the same statement. Selected after the thread's lease columns.
const EXPIRY_AND_OWNER = `coalesce(t.lease_expires_at <= @now, 1) AS expired,
  o.id AS o_id, o.pid AS o_pid, o.hostname AS o_hostname, o.process_key AS o_process_key, o.pid_namespace AS o_pid_namespace,
  o.lease_ttl_ms AS o_lease_ttl_ms, o.machine_id AS o_machine_id, o.started_at AS o_started_at, o.heartbeat_at AS o_heartbeat_at
  FROM threads t LEFT JOIN owners o ON o.id = t.lease_owner WHERE t.id = @id`;

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

const toLease = (row: LeaseRow): ThreadLease => ({
  runningTurnId: row.running_turn_id,
  ownerId: row.lease_owner,
  expiresAt: row.lease_expires_at,
  expired: row.expired === 1,
  owner: row.o_id === null ? undefined : toOwner({
    id: row.o_id, pid: row.o_pid!, hostname: row.o_hostname!, process_key: row.o_process_key!, pid_namespace: row.o_pid_namespace,
    lease_ttl_ms: row.o_lease_ttl_ms, machine_id: row.o_machine_id, started_at: row.o_started_at!, heartbeat_at: row.o_heartbeat_at!,
  }),
});

export function ownerTable(db: Preparer): Sync<OwnerReads & OwnerWrites> {
  const upsert = db.prepare(`INSERT INTO owners (id, pid, hostname, process_key, pid_namespace, lease_ttl_ms, machine_id, started_at, heartbeat_at)
    VALUES (@id, @pid, @hostname, @processKey, @pidNamespace, @leaseTtlMs, @machineId, @startedAt, @heartbeatAt)
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`);
  const find = db.prepare<[string], OwnerRow>('SELECT * FROM owners WHERE id = ?');
  const remove = db.prepare('DELETE FROM owners WHERE id = ?');
  // Each owner by its own ttl: a process with a tiny --lease-ttl must not forget a live one.
  const removeStale = db.prepare(`DELETE FROM owners
    WHERE (julianday(@now) - julianday(heartbeat_at)) * 86400000 > @ttls * COALESCE(lease_ttl_ms, @unknownTtlMs)
      AND id NOT IN (SELECT lease_owner FROM threads WHERE lease_owner IS NOT NULL)`);
  const renew = db.prepare('UPDATE threads SET lease_expires_at = ? WHERE lease_owner = ?');
  const lease = db.prepare<[{ id: string; now: string }], LeaseRow>(
    `SELECT t.running_turn_id, t.lease_owner, t.lease_expires_at, ${EXPIRY_AND_OWNER}`,
  );
  // The same lease with the thread's whole row (threads.ts's find).
  const withLease = db.prepare<[{ id: string; now: string }], ThreadRow & LeaseRow>(`SELECT t.*, ${EXPIRY_AND_OWNER}`);
  const leasedTo = db.prepare<[string], { id: string; running_turn_id: string | null }>(
    'SELECT id, running_turn_id FROM threads WHERE lease_owner = ?',
  );
  const holds = db.prepare<[string, string, string], { one: number }>(
    'SELECT 1 AS one FROM threads WHERE id = ? AND running_turn_id = ? AND lease_owner = ?',
  );

  return {
    upsert: (o: Owner) => {
      upsert.run(o);
    },
    find: (id: string): Owner | undefined => {
      const row = find.get(id);
      return row && toOwner(row);
    },
    renewLeases: (ownerId: string, expiresAt: string) => {
      renew.run(expiresAt, ownerId);
    },
    delete: (id: string) => {
      remove.run(id);
    },
    /**
     * Forgets owners that hold no lease and were silent at `now` for over `ttls` of their own lease
     * ttl (`unknownTtlMs` for a row that recorded none).
     */
    deleteStale: (now: string, ttls: number, unknownTtlMs: number): number =>
      removeStale.run({ now, ttls, unknownTtlMs }).changes,
    threadLease: (threadId: string, now: string): ThreadLease | undefined => {
      const row = lease.get({ id: threadId, now });
      return row && toLease(row);
    },
    threadWithLease: (threadId: string, now: string): { thread: Thread; lease: ThreadLease } | undefined => {
      const row = withLease.get({ id: threadId, now });
      return row && { thread: toThread(row), lease: toLease(row) };
    },
    holdsLease: (threadId: string, turnId: string, ownerId: string): boolean => holds.get(threadId, turnId, ownerId) !== undefined,
    leasesOf: (ownerId: string) => leasedTo.all(ownerId).map((r) => ({ threadId: r.id, runningTurnId: r.running_turn_id })),
  };
}
