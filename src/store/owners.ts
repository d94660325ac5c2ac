import type Database from 'better-sqlite3';

/** A server process working on the database file (migrations 003 and 004). */
export interface Owner {
  id: string;
  pid: number;
  hostname: string;
  /** Names the process beyond its pid (boot id + start time), so a reused pid is not mistaken for it. */
  processKey: string;
  /** The PID namespace `pid` is a pid in; null in a row from before migration 004 (or unknown). */
  pidNamespace: string | null;
  /** The owner's own `--lease-ttl`; null in a row from before migration 004. */
  leaseTtlMs: number | null;
  startedAt: string;
  heartbeatAt: string;
}

/** Who holds a thread's running turn, and until when. */
export interface ThreadLease {
  runningTurnId: string | null;
  ownerId: string | null;
  expiresAt: string | null;
  owner?: Owner;
}

interface OwnerRow {
  id: string;
  pid: number;
  hostname: string;
  process_key: string;
  pid_namespace: string | null;
  lease_ttl_ms: number | null;
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
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
});

export function ownerStatements(db: Database.Database) {
  const upsert = db.prepare(`INSERT INTO owners (id, pid, hostname, process_key, pid_namespace, lease_ttl_ms, started_at, heartbeat_at)
    VALUES (@id, @pid, @hostname, @processKey, @pidNamespace, @leaseTtlMs, @startedAt, @heartbeatAt)
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`);
  const find = db.prepare<[string], OwnerRow>('SELECT * FROM owners WHERE id = ?');
  const remove = db.prepare('DELETE FROM owners WHERE id = ?');
  // Each owner by its own ttl: a process with a tiny --lease-ttl must not forget a live one.
  const removeStale = db.prepare(`DELETE FROM owners
    WHERE (julianday(@now) - julianday(heartbeat_at)) * 86400000 > @ttls * COALESCE(lease_ttl_ms, @unknownTtlMs)
      AND id NOT IN (SELECT lease_owner FROM threads WHERE lease_owner IS NOT NULL)`);
  const renew = db.prepare('UPDATE threads SET lease_expires_at = ? WHERE lease_owner = ?');
  const lease = db.prepare<[string], { running_turn_id: string | null; lease_owner: string | null; lease_expires_at: string | null }>(
    'SELECT running_turn_id, lease_owner, lease_expires_at FROM threads WHERE id = ?',
  );
  const leasedTo = db.prepare<[string], { id: string; running_turn_id: string | null }>(
    'SELECT id, running_turn_id FROM threads WHERE lease_owner = ?',
  );
  const holds = db.prepare<[string, string, string], { one: number }>(
    'SELECT 1 AS one FROM threads WHERE id = ? AND running_turn_id = ? AND lease_owner = ?',
  );
  const dataVersion = db.prepare('PRAGMA data_version').pluck();

  return {
    /** Records the owner, or moves its heartbeat on when it is recorded already. */
    upsertOwner: (o: Owner) => upsert.run(o),
    findOwner: (id: string): Owner | undefined => {
      const row = find.get(id);
      return row && toOwner(row);
    },
    /** The owner's heartbeat: its row and every lease it holds move on to `expiresAt`. */
    renewLeases: (ownerId: string, expiresAt: string) => renew.run(expiresAt, ownerId),
    deleteOwner: (id: string) => remove.run(id),
    /**
     * Forgets owners that hold no lease and were silent at `now` for over `ttls` of their own lease
     * ttl (`unknownTtlMs` for a row that recorded none).
     */
    deleteStaleOwners: (now: string, ttls: number, unknownTtlMs: number): number =>
      removeStale.run({ now, ttls, unknownTtlMs }).changes,
    findThreadLease: (threadId: string): ThreadLease | undefined => {
      const row = lease.get(threadId);
      if (!row) return undefined;
      const owner = row.lease_owner === null ? undefined : (find.get(row.lease_owner) ?? undefined);
      return {
        runningTurnId: row.running_turn_id,
        ownerId: row.lease_owner,
        expiresAt: row.lease_expires_at,
        owner: owner && toOwner(owner),
      };
    },
    /** True while `ownerId` holds the lease of `turnId`, the thread's running turn. */
    holdsLease: (threadId: string, turnId: string, ownerId: string): boolean => holds.get(threadId, turnId, ownerId) !== undefined,
    /** Threads whose lease `ownerId` holds, with their running turn. */
    listLeasesOf: (ownerId: string) => leasedTo.all(ownerId).map((r) => ({ threadId: r.id, runningTurnId: r.running_turn_id })),
    /** Changes whenever another connection commits to the file (SQLite's `PRAGMA data_version`). */
    dataVersion: (): number => dataVersion.get() as number,
  };
}

export type OwnerStatements = ReturnType<typeof ownerStatements>;
