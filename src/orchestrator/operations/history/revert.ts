import { NothingToEditError, ThreadBusyError, TurnNotFoundError, type ParsedParamsOf, type ResultOf } from '@threadline/protocol';
import type { Tx } from '../../commit/tx.js';
import type { OperationDeps } from '../deps.js';
import { readThread } from '../read-thread.js';

/** A turn must not run while the history under it changes: interrupt first. */
async function requireIdle(d: OperationDeps, tx: Tx, threadId: string) {
  const read = await readThread(d, tx, threadId);
  if (read.state.runningTurnId !== null) throw new ThreadBusyError(threadId, read.state.runningTurnId);
  return read.thread;
}

/**
 * `thread/revert`: `beforeTurnId` and every later turn are marked `revertedAt` (kept, readable);
 * the history revision moves on, so a loaded engine — here or in another process — reloads
 * from what remains before the next turn.
 */
export async function revert(d: OperationDeps, p: ParsedParamsOf<'thread/revert'>): Promise<ResultOf<'thread/revert'>> {
  return await d.commit(async (tx) => {
    const thread = await requireIdle(d, tx, p.threadId);
    const before = await tx.turns.find(p.beforeTurnId);
    if (!before || before.threadId !== thread.id) throw new TurnNotFoundError(p.beforeTurnId);
    const revertedTurnIds = await tx.turns.markReverted(thread.id, await tx.turns.startSeq(before.id), tx.now, await tx.peekSeq(thread.id));
    if (revertedTurnIds.length > 0) {
      await tx.threads.bumpHistoryRev(thread.id);
      await tx.emit(thread.id, 'thread.reverted', { revertedTurnIds });
    }
    return { thread: (await tx.threads.find(thread.id))!, revertedTurnIds };
  });
}

/** `thread/unrevert`: the most recent revert is undone, if no turn began since. */
export async function unrevert(d: OperationDeps, p: ParsedParamsOf<'thread/unrevert'>): Promise<ResultOf<'thread/unrevert'>> {
  return await d.commit(async (tx) => {
    const thread = await requireIdle(d, tx, p.threadId);
    const last = await tx.turns.lastRevert(thread.id);
    if (!last || await tx.turns.startedAfter(thread.id, last.seq)) throw new NothingToEditError(thread.id, 'Nothing to unrevert');
    await tx.turns.clearReverted(thread.id, last.seq);
    await tx.threads.bumpHistoryRev(thread.id);
    await tx.emit(thread.id, 'thread.unreverted', { restoredTurnIds: last.turnIds });
    return { thread: (await tx.threads.find(thread.id))!, restoredTurnIds: last.turnIds };
  });
}
