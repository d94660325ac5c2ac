import { randomUUID } from 'node:crypto';
import { DEFAULTS } from '../../config.js';
import type { Logger } from '../../log.js';
import type { LeaseGrant, ReadTx, Store, ThreadLease, WriteTx } from '../../store/port.js';
import type { LeaseHolder } from '../decide/lease-holder.js';
import { judgeProcess, ownHostname, ownMachineId, ownPidNamespace, ownProcessKey } from './process-identity.js';

/** Owners silent for this many of their own lease lifetimes, holding nothing, are forgotten at start-up. */
const STALE_OWNER_TTLS = 100;
/** An owner row from before migration 004 recorded no ttl: judged as if it had at least the default. */
const UNRECORDED_TTL_MS = DEFAULTS.leaseTtlSeconds * 1000;

/**
 * This process as an owner (issue 5 §1): its row in `owners`, the leases of the turns it runs,
 * and the heartbeat that renews them every ttl/3. A lease not renewed within the ttl is expired.
 */
export class LeaseOwner {
  readonly ownerId = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = new Date().toISOString();
  /** Whether the owner row is (believed) written; a failed write is retried by the heartbeat. */
  private recorded = false;
  private renewing = false;

  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
    private readonly log: Logger,
    /** Told after each heartbeat which threads this process still holds (a lost one is abandoned). */
    private readonly onHeld: (held: Set<string>) => void = () => {},
  ) {}

  /**
   * Records this process and starts the heartbeat. A database that refuses the write (read-only,
   * full) is no reason not to serve reads: the heartbeat records the owner once it can, and a
   * turn's first lease records it in the transaction that begins the turn.
   */
  async register(): Promise<void> {
    try {
      // Unsynced: no client has been told anything yet, and the row matters only while this
      // process lives (it is written again at every heartbeat); the first commit that syncs makes
      // it durable before that commit's own answer.
      await (this.store.writeUnsynced ?? this.store.write).call(this.store, async (tx) => {
        await tx.owners.deleteStale(tx.now, STALE_OWNER_TTLS, Math.max(this.ttlMs, UNRECORDED_TTL_MS));
        await this.record(tx);
      });
    } catch (error) {
      this.recorded = false;
      this.log.warn('could not record this server process as an owner yet', { error: (error as Error).message });
    }
    this.timer = setInterval(() => void this.renewOnce(), Math.max(10, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Inside a transaction: this process's owner row, inserted or its heartbeat moved on. */
  private async record(tx: WriteTx): Promise<void> {
    await tx.owners.upsert({
      id: this.ownerId,
      pid: process.pid,
      hostname: ownHostname(),
      processKey: ownProcessKey(),
      pidNamespace: ownPidNamespace(),
      leaseTtlMs: Math.ceil(this.ttlMs), // an INTEGER column of a STRICT table
      machineId: ownMachineId(),
      startedAt: this.startedAt,
      heartbeatAt: tx.now,
    });
    this.recorded = true;
  }

  /**
   * The lease of a turn the transaction begins. The owner row goes with it: a lease whose owner
   * has no row names no pid to report.
   */
  async grant(tx: WriteTx): Promise<LeaseGrant> {
    if (!this.recorded || !await tx.owners.find(this.ownerId)) await this.record(tx);
    return { owner: this.ownerId, expiresAt: this.expiry(tx.now) };
  }

  /** True while this process holds `turnId`'s lease on its thread. */
  async holds(tx: ReadTx, threadId: string, turnId: string): Promise<boolean> {
    return await tx.owners.holdsLease(threadId, turnId, this.ownerId);
  }

  /** Who holds the thread's running turn at `now`, as the transaction sees it. */
  async holderOf(tx: ReadTx, threadId: string, now: string): Promise<LeaseHolder> {
    const lease = await tx.owners.threadLease(threadId, now);
    return lease ? this.classify(lease) : { kind: 'none' };
  }

  classify(lease: ThreadLease): LeaseHolder {
    if (lease.runningTurnId === null) return { kind: 'none' };
    if (lease.ownerId === this.ownerId) return { kind: 'self' };
    const dead = { kind: 'dead' as const, turnId: lease.runningTurnId };
    // No lease: a turn from before leases existed (migration 003): nobody runs it. `expired` is the
    // database's judgement in SQL, by the transaction's clock (Postgres: one clock for every machine).
    if (lease.ownerId === null || lease.expiresAt === null || lease.expired) return dead;
    // Before its expiry, only a process this one can judge for certain (same machine, boot and PID
    // namespace) is dead early; an owner on another machine lives until its lease expires.
    // An owner whose row is gone is judged by its lease alone (pid 0: unknown).
    const owner = lease.owner;
    if (owner && judgeProcess(owner) === 'gone') return dead;
    return { kind: 'live', ownerPid: owner?.pid ?? 0, expiresAt: lease.expiresAt };
  }

  /** A heartbeat that finds the last one still waiting for the database skips its turn. */
  private async renewOnce(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await this.renew();
    } finally {
      this.renewing = false;
    }
  }

  /** The heartbeat: renews this owner's row and every lease it holds. */
  async renew(): Promise<void> {
    let held: Set<string>;
    try {
      held = await this.store.write(async (tx) => {
        await this.record(tx);
        await tx.owners.renewLeases(this.ownerId, this.expiry(tx.now));
        return new Set((await tx.owners.leasesOf(this.ownerId)).map((l) => l.threadId));
      });
    } catch (error) {
      this.log.warn('could not renew the leases (retrying at the next heartbeat)', { error: (error as Error).message });
      return;
    }
    this.onHeld(held);
  }

  /** Stops the heartbeat and forgets this owner (its turns have ended). */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      await this.store.write(async (tx) => await tx.owners.delete(this.ownerId));
    } catch (error) {
      this.log.warn('could not remove the owner record', { error: (error as Error).message });
    }
  }

  private expiry(now: string): string {
    return new Date(Date.parse(now) + this.ttlMs).toISOString();
  }
}
