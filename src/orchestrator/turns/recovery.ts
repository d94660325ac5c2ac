import type { Turn } from '@threadline/protocol';
import type { Store } from '../../store/port.js';
import type { Commit } from '../commit/commit.js';
import type { Tx } from '../commit/tx.js';
import { cutToBytes } from '../decide/item-limits.js';
import { finishTurn } from './steps.js';

export const RESTART_ERROR = 'server restarted';

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
export async function recoverTurn(tx: Tx, turn: Turn, maxItemBytes: number): Promise<Turn | undefined> {
  const since = await tx.turns.startSeq(turn.id);
  return await finishTurn(tx, turn.id, { status: 'interrupted', error: RESTART_ERROR }, async (itemId) => {
    const text = await tx.events.concatDeltas(turn.threadId, since, itemId, maxItemBytes);
    const kept = cutToBytes(text, maxItemBytes);
    return { text: kept, truncated: kept.length < text.length };
  });
}
