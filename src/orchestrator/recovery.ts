import type { Turn } from '@threadline/protocol';
import type { Store } from '../store/store.js';
import type { Commit, Tx } from './events.js';
import { cutToBytes } from './item-limits.js';
import { finishTurn } from './turns.js';

export const RESTART_ERROR = 'server restarted';

/**
 * Start-up: turns a dead process left `in_progress` end `interrupted` ("server restarted"),
 * their open items keeping the text they had streamed. Only turns whose owner is dead — its
 * lease expired, or its process on this host is gone — are touched, never one another live
 * process runs. Pending admissions stay pending until `thread/drain` or the next
 * `thread/startTurn` (PROTOCOL.md §8). One transaction for all of them: one fsync, however many
 * there are. Returns how many were recovered.
 */
export function recoverInterruptedTurns(
  store: Store,
  commit: Commit,
  maxItemBytes: number,
  isOwnerDead: (threadId: string, now: string) => boolean,
): number {
  // The common start-up has nothing to recover: no write transaction, no fsync.
  if (!store.hasInProgressTurns()) return 0;
  return commit((tx) => {
    let recovered = 0;
    for (const turn of store.listInProgressTurns()) {
      if (isOwnerDead(turn.threadId, tx.now) && recoverTurn(tx, store, turn, maxItemBytes)) recovered++;
    }
    return recovered;
  });
}

/** Ends one turn a dead process left running, inside the caller's transaction. */
export function recoverTurn(tx: Tx, store: Store, turn: Turn, maxItemBytes: number): Turn | undefined {
  const since = store.turnStartSeq(turn.id);
  return finishTurn(tx, store, turn.id, { status: 'interrupted', error: RESTART_ERROR }, (itemId) => {
    const text = store.concatDeltas(turn.threadId, since, itemId, maxItemBytes);
    const kept = cutToBytes(text, maxItemBytes);
    return { text: kept, truncated: kept.length < text.length };
  });
}
