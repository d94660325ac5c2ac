import type { Thread } from '@threadline/protocol';
import type { Preparer } from '../lazy-statements.js';
import type { Owner, OwnerReads, OwnerWrites, ThreadLease } from '../../port.js';
import type { Sync } from '../settled.js';
import { columnIndex, type ValuesOf } from './rows.js';
import { THREAD_SELECT_LIST, toThread, type ThreadValues } from './threads.js';

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

/** A thread's lease with its holder's owner row joined (`o_`: the owner's columns, all NULL when no owner row matches). */
type LeaseRow = { running_turn_id: string | null; lease_owner: string | null; lease_expires_at: string | null; expired: number } & {
  [K in keyof OwnerRow as `o_${K}`]: OwnerRow[K] | null;
};
/** The lease's columns, in the order its raw reads select them. */
const LEASE_COLUMNS = [
  'running_turn_id',
  'lease_owner',
  'lease_expires_at',
  'expired',
  'o_id',
  'o_pid',
  'o_hostname',
  'o_process_key',
  'o_pid_namespace',
  'o_lease_ttl_ms',
  'o_machine_id',
  'o_started_at',
  'o_heartbeat_at',
] as const satisfies readonly (keyof LeaseRow)[];
const at = columnIndex(LEASE_COLUMNS);
type LeaseValues = ValuesOf<LeaseRow, typeof LEASE_COLUMNS>;

// LEASE_COLUMNS, in their order: the thread's (`t`), the holder's owner row (`o`) in the same
// statement, and the expiry judged in SQL against the transaction's clock (ISO 8601 UTC text
// orders like time).
const leaseColumn = (column: (typeof LEASE_COLUMNS)[number]) =>
  column === 'expired' ? 'coalesce(t.lease_expires_at <= @now, 1)' : column.startsWith('o_') ? `o.${column.slice(2)}` : `t.${column}`;
const LEASE_SELECT = `SELECT ${LEASE_COLUMNS.map(leaseColumn).join(', ')}`;
const LEASE_FROM = 'FROM threads t LEFT JOIN owners o ON o.id = t.lease_owner WHERE t.id = @id';

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

const toLease = (r: LeaseValues): ThreadLease => {
  const ownerId = r[at.o_id];
  return {
    runningTurnId: r[at.running_turn_id],
    ownerId: r[at.lease_owner],
    expiresAt: r[at.lease_expires_at],
    expired: r[at.expired] === 1,
    owner: ownerId === null ? undefined : toOwner({
      id: ownerId, pid: r[at.o_pid]!, hostname: r[at.o_hostname]!, process_key: r[at.o_process_key]!, pid_namespace: r[at.o_pid_namespace],
      lease_ttl_ms: r[at.o_lease_ttl_ms], machine_id: r[at.o_machine_id], started_at: r[at.o_started_at]!, heartbeat_at: r[at.o_heartbeat_at]!,
    }),
  };
};

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
  const lease = db.prepare<[{ id: string; now: string }], LeaseValues>(`${LEASE_SELECT} ${LEASE_FROM}`).raw();
  // The same lease, then the thread's whole row (threads.ts's THREAD_COLUMNS).
  const withLease = db.prepare<[{ id: string; now: string }], LeaseValues>(`${LEASE_SELECT}, ${THREAD_SELECT_LIST} ${LEASE_FROM}`).raw();
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
      const r = withLease.get({ id: threadId, now });
      return r && { thread: toThread(r.slice(LEASE_COLUMNS.length) as ThreadValues), lease: toLease(r) };
    },
    holdsLease: (threadId: string, turnId: string, ownerId: string): boolean => holds.get(threadId, turnId, ownerId) !== undefined,
    leasesOf: (ownerId: string) => leasedTo.all(ownerId).map((r) => ({ threadId: r.id, runningTurnId: r.running_turn_id })),
  };
}
