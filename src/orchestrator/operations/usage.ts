import type { ParsedParamsOf, ResultOf, Usage } from '@threadline/protocol';
import { addUsage } from '../turns/active-turn.js';
import type { OperationDeps } from './deps.js';
import { requireThread } from './read-thread.js';

/** `usage/get`: the usage of every completed turn, of one thread or of all. */
export async function getUsage(d: OperationDeps, p: ParsedParamsOf<'usage/get'>): Promise<ResultOf<'usage/get'>> {
  return await d.store.read(async (tx) => {
    if (p.threadId !== undefined) await requireThread(tx, p.threadId);
    const all = await tx.turns.listCompletedUsage(p.threadId);
    const usage = all.reduce<Usage | undefined>((sum, u) => addUsage(sum, u), undefined);
    return { usage: usage ?? { inputTokens: 0, outputTokens: 0 }, turns: all.length };
  });
}
