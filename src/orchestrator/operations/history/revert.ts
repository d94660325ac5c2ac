import { NothingToEditError, ThreadBusyError, TurnNotFoundError, type ParsedParamsOf, type ResultOf } from '@threadline/protocol';
import type { Tx } from '../../commit/tx.js';
import type { OperationDeps } from '../deps.js';
import { readThread } from '../read-thread.js';

/** A turn must not run while the history under it changes: interrupt first. */
function requireIdle(d: OperationDeps, tx: Tx, threadId: string) {
  const read = readThread(d, tx, threadId);
  if (read.state.runningTurnId !== null) throw new ThreadBusyError(threadId, read.state.runningTurnId);
  return read.thread;
}

/**
 * `thread/revert`: `beforeTurnId` and every later turn are marked `revertedAt` (kept, readable);
 * the history revision moves on, so a loaded engine — here or in another process — reloads
 * from what remains before the next turn.
 */
export function revert(d: OperationDeps, p: ParsedParamsOf<'thread/revert'>): ResultOf<'thread/revert'> {
  return d.commit((tx) => {
    const thread = requireIdle(d, tx, p.threadId);
    const before = tx.turns.find(p.beforeTurnId);
    if (!before || before.threadId !== thread.id) throw new TurnNotFoundError(p.beforeTurnId);
    const revertedTurnIds = tx.turns.markReverted(thread.id, tx.turns.startSeq(before.id), tx.now, tx.peekSeq(thread.id));
    if (revertedTurnIds.length > 0) {
      tx.threads.bumpHistoryRev(thread.id);
      tx.emit(thread.id, 'thread.reverted', { revertedTurnIds });
    }
    return { thread: tx.threads.find(thread.id)!, revertedTurnIds };
  });
}

/** `thread/unrevert`: the most recent revert is undone, if no turn began since. */
export function unrevert(d: OperationDeps, p: ParsedParamsOf<'thread/unrevert'>): ResultOf<'thread/unrevert'> {
  return d.commit((tx) => {
    const thread = requireIdle(d, tx, p.threadId);
    const last = tx.turns.lastRevert(thread.id);
    if (!last || tx.turns.startedAfter(thread.id, last.seq)) throw new NothingToEditError(thread.id, 'Nothing to unrevert');
    tx.turns.clearReverted(thread.id, last.seq);
    tx.threads.bumpHistoryRev(thread.id);
    tx.emit(thread.id, 'thread.unreverted', { restoredTurnIds: last.turnIds });
    return { thread: tx.threads.find(thread.id)!, restoredTurnIds: last.turnIds };
  });
}
