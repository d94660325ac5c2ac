import type { HistoryEntry } from '../../host/port.js';
import type { ReadTx } from '../../store/port.js';

/**
 * What an engine is loaded with: the thread's persisted conversation as the model should see it
 * — superseded turns left out (the store's history already skips them), and the turn about to
 * start left out (it is started on the engine next). The one place that decides what survives.
 */
export function visibleHistory(tx: ReadTx, threadId: string, currentTurnId: string): HistoryEntry[] {
  return tx.items
    .listHistory(threadId)
    .filter((row) => row.turnId !== currentTurnId)
    .map((row) => ({ kind: row.kind, status: row.status, text: row.detail, metadata: row.metadata }));
}
