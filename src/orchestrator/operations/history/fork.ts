import { InvalidParamsError, TurnNotFoundError, type Item, type ParsedParamsOf, type ResultOf, type Turn } from '@threadline/protocol';
import type { Tx } from '../../commit/tx.js';
import { visibleTurnIds } from '../../decide/visible-turns.js';
import { newId } from '../../ids.js';
import { copiedSettings, writeTurnCopy } from './copy.js';
import type { OperationDeps } from '../deps.js';
import { requireThread } from '../read-thread.js';

/**
 * `thread/fork`: a new thread (new ids) with a copy of the source's visible history — all of it,
 * the turns before `beforeTurnId`, or the turns before the `depthFromTail`-th newest turn with a
 * user message. A running turn and the inbox are never copied, so a busy thread can be forked.
 * The fork's log begins with `thread.forked`; the source's log gets nothing.
 */
export async function fork(d: OperationDeps, p: ParsedParamsOf<'thread/fork'>): Promise<ResultOf<'thread/fork'>> {
  return await d.commit(async (tx) => {
    const source = await requireThread(tx, p.threadId);
    const turns = await tx.turns.listOfThread(source.id);
    const visible = new Set(visibleTurnIds(turns.map((t) => ({ id: t.id, kind: t.kind, status: t.status, superseded: t.supersededBy !== undefined, reverted: t.revertedAt !== undefined }))));
    let stop: Turn | undefined;
    let originalUserText: string | null = null;
    if (p.beforeTurnId !== undefined) {
      stop = turns.find((t) => t.id === p.beforeTurnId);
      if (!stop) throw new TurnNotFoundError(p.beforeTurnId);
    } else if (p.depthFromTail !== undefined) {
      const prompts: { turn: Turn; userText: string }[] = [];
      for (const t of turns) {
        if (!visible.has(t.id) || t.kind !== 'prompt') continue;
        const userText = firstUserText(await tx.items.listOfTurn(t.id));
        if (userText !== undefined) prompts.unshift({ turn: t, userText });
      }
      const picked = prompts[p.depthFromTail];
      if (!picked) {
        const message = `depthFromTail is ${p.depthFromTail}, but the thread has ${prompts.length} visible turn${prompts.length === 1 ? '' : 's'} with a user message`;
        throw new InvalidParamsError(message, [{ path: ['depthFromTail'], message, code: 'too_big' }]);
      }
      stop = picked.turn;
      originalUserText = picked.userText;
    }
    const end = stop ? turns.indexOf(stop) : turns.length;
    const copied = turns.slice(0, end).filter((t) => visible.has(t.id));

    const id = newId('thread');
    await tx.threads.insert({
      id,
      title: p.title ?? source.title,
      ...copiedSettings(source),
      now: tx.now,
      forkedFrom: { threadId: source.id, turnId: stop?.id },
    });
    for (const [i, turn] of copied.entries()) await copyTurn(tx, turn, id, i - copied.length);
    const thread = (await tx.threads.find(id))!;
    await tx.emit(id, 'thread.forked', { thread: { ...thread, lastSeq: await tx.peekSeq(id) }, source: { threadId: source.id, turnId: stop?.id } });
    return { thread: (await tx.threads.find(id))!, copiedTurns: copied.length, droppedTurnId: p.depthFromTail === undefined ? null : stop!.id, originalUserText };
  });
}

function firstUserText(items: Item[]): string | undefined {
  return items.find((i) => i.kind === 'user_message')?.detail;
}

/**
 * Writes a copy of an ended turn and its items into `threadId`. Copies take start seqs below 1
 * (the fork's first event): they come before every turn the fork will run, in the same order.
 */
export async function copyTurn(tx: Tx, turn: Turn, threadId: string, startSeq: number): Promise<void> {
  const options = (await tx.turns.findStored(turn.id))?.options ?? {};
  await writeTurnCopy(tx, turn, await tx.items.listOfTurn(turn.id), threadId, startSeq, { options });
}
