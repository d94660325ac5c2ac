import type { Turn } from '@threadline/protocol';
import type { Store } from '../../store/port.js';
import type { Commit } from '../commit/commit.js';
import type { Tx } from '../commit/tx.js';
import { cutToBytes } from '../decide/item-limits.js';
import { finishTurn } from './steps.js';

export const RESTART_ERROR = 'server restarted';
/** The error of a turn whose start reached the database while its process was told it failed. */
export const UNCONFIRMED_START_ERROR = 'the database did not confirm the start of this turn';

/**
 * Start-up: turns a dead process left `in_progress` end `interrupted` ("server restarted"),
 * their open items keeping the text they had streamed. Only turns whose owner is dead — its
 * lease expired, or its process on this host is gone — are touched, never one another live
 * process runs. Pending admissions stay pending until `thread/drain` or the next
 * `thread/startTurn` (PROTOCOL.md §8). One transaction for all of them: one fsync, however many
 * there are. Returns how many were recovered.
 */
export async function recoverInterruptedTurns(
  store: Store,
  commit: Commit,
  maxItemBytes: number,
  isOwnerDead: (tx: Tx, threadId: string) => Promise<boolean>,
): Promise<number> {
  // The common start-up has nothing to recover: no write transaction, no fsync.
  if (!await store.read(async (tx) => await tx.turns.hasInProgress())) return 0;
  return await commit(async (tx) => {
    let recovered = 0;
    for (const turn of await tx.turns.listInProgress()) {
      if ((await isOwnerDead(tx, turn.threadId)) && await recoverTurn(tx, turn, maxItemBytes)) recovered++;
    }
    return recovered;
  });
}

/** Ends one turn a dead process left running, inside the caller's transaction. */
export async function recoverTurn(tx: Tx, turn: Turn, maxItemBytes: number, error = RESTART_ERROR): Promise<Turn | undefined> {
  return await finishTurn(tx, turn.id, { status: 'interrupted', error }, await loggedTextOf(tx, turn.threadId, turn.id, maxItemBytes));
}

/**
 * An open item's text as the log holds it (its committed deltas, concatenated, cut at
 * `maxItemBytes`): what a turn ends with when what was in memory is lost or cannot be stored.
 */
export async function loggedTextOf(tx: Tx, threadId: string, turnId: string, maxItemBytes: number): Promise<(itemId: string) => Promise<{ text: string; truncated: boolean }>> {
  const since = await tx.turns.startSeq(turnId);
  return async (itemId) => {
    const text = await tx.events.concatDeltas(threadId, since, itemId, maxItemBytes);
    const kept = cutToBytes(text, maxItemBytes);
    return { text: kept, truncated: kept.length < text.length };
  };
}

/**
 * Turns leased to this process in the database that it is not running: a start whose COMMIT
 * reached the database while the connection died before its answer (a database restarting), so
 * the process took it as failed and never ran it. The heartbeat would renew their lease forever:
 * they end `interrupted` here, in one transaction (queues stay, as after a restart). Run after a
 * heartbeat; a turn registered meanwhile is left alone (`isRunning` is checked inside the
 * transaction, and a committed start registers its turn before the next transaction begins).
 */
export async function endUnconfirmedStarts(
  commit: Commit,
  ownerId: string,
  isRunning: (threadId: string) => boolean,
  maxItemBytes: number,
): Promise<number> {
  return await commit(async (tx) => {
    let ended = 0;
    for (const { threadId, runningTurnId } of await tx.owners.leasesOf(ownerId)) {
      if (!runningTurnId || isRunning(threadId)) continue;
      const turn = await tx.turns.find(runningTurnId);
      if (turn?.status === 'in_progress' && await recoverTurn(tx, turn, maxItemBytes, UNCONFIRMED_START_ERROR)) ended++;
    }
    return ended;
  });
}
