import type { Store } from '../store/store.js';
import type { Commit } from './events.js';
import { cutToBytes } from './active-turn.js';
import { finishTurn } from './turns.js';

export const RESTART_ERROR = 'server restarted';

/**
 * Start-up: turns a dead process left `in_progress` end `interrupted` ("server restarted"),
 * their open items keeping the text they had streamed. Pending admissions stay pending until
 * `thread/drain` or the next `thread/startTurn` (PROTOCOL.md §8). One transaction for all of
 * them: one fsync, however many there are. Returns how many were recovered.
 */
export function recoverInterruptedTurns(store: Store, commit: Commit, maxItemBytes: number): number {
  // The common start-up has nothing to recover: no write transaction, no fsync.
  if (store.listInProgressTurns().length === 0) return 0;
  return commit((tx) => {
    let recovered = 0;
    for (const turn of store.listInProgressTurns()) {
      const since = store.turnStartSeq(turn.id);
      const ended = finishTurn(tx, store, turn.id, { status: 'interrupted', error: RESTART_ERROR }, (itemId) => {
        const { text } = store.concatDeltas(turn.threadId, since, itemId, maxItemBytes);
        const kept = cutToBytes(text, maxItemBytes);
        return { text: kept, truncated: kept.length < text.length };
      });
      if (ended) recovered++;
    }
    return recovered;
  });
}
