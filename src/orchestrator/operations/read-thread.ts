import { ThreadNotFoundError, type Thread, type Turn } from '@threadline/protocol';
import type { ReadTx, ThreadLease } from '../../store/port.js';
import type { Tx } from '../commit/tx.js';
import type { ThreadState } from '../decide/coordinator.js';
import type { LeaseHolder } from '../decide/lease-holder.js';
import { recoverTurn } from '../turns/recovery.js';
import type { OperationDeps } from './deps.js';

export async function requireThread(tx: ReadTx, threadId: string): Promise<Thread> {
  const thread = await tx.threads.find(threadId);
  if (!thread) throw new ThreadNotFoundError(threadId);
  return thread;
}

/** A thread read inside the transaction that acts on it (a dead owner's turn recovered first). */
export interface ThreadRead {
  thread: Thread;
  state: ThreadState;
  holder: LeaseHolder;
  /** The turn of a dead owner this read ended `interrupted` ("server restarted"). */
  recovered?: Turn;
}

/** A thread and who holds its running turn, as one read of the transaction found them. */
export interface FoundThread {
  thread: Thread;
  lease: ThreadLease;
}

/** The thread and its lease in one read (one statement on SQLite, one round trip on Postgres). */
export async function findThread(tx: Tx, threadId: string): Promise<FoundThread> {
  const found = await tx.owners.threadWithLease(threadId, tx.now);
  if (!found) throw new ThreadNotFoundError(threadId);
  return found;
}

/**
 * Reads the thread inside the transaction that acts on it. A running turn whose owner is dead
 * (lease expired, or its process on this host gone) is recovered first, in the same
 * transaction: this process takes the thread over. `known` is the thread as this same transaction
 * found it already, if it did (nothing written since).
 */
export async function readThread(d: OperationDeps, tx: Tx, threadId: string, known?: FoundThread): Promise<ThreadRead> {
  const found = known ?? (await findThread(tx, threadId));
  let thread = found.thread;
  let holder = d.leases.classify(found.lease);
  let recovered: Turn | undefined;
  if (holder.kind === 'dead') {
    recovered = await recoverTurn(tx, (await tx.turns.find(holder.turnId))!, d.limits.maxItemBytes);
    d.log.info('took over a thread whose owner is gone', { threadId, turnId: holder.turnId });
    thread = await requireThread(tx, threadId);
    holder = { kind: 'none' };
  }
  const state: ThreadState = {
    archived: thread.archived,
    runningTurnId: thread.status === 'running' ? (thread.latestTurnId ?? null) : null,
    pendingCount: thread.queuedCount,
    leasedElsewhere: holder.kind === 'live',
  };
  return { thread, state, holder, recovered };
}
