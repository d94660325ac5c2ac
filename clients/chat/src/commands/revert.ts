import type { Turn } from '@threadline/protocol';
import type { CommandContext, SlashCommand } from './command.js';
import { positiveCount } from './count.js';

export const revert: SlashCommand = {
  name: 'revert',
  usage: '/revert [N]',
  summary: 'hide your last N prompts and their replies from the agent (default 1); /unrevert brings them back',
  async run(ctx) {
    const s = ctx.style;
    const n = positiveCount(ctx.args);
    if (n === undefined) return ctx.print([s.red('usage: /revert [N] (N ≥ 1 prompts)')]);
    if (!ctx.threadId) return ctx.print([s.red('nothing to revert yet')]);
    if (ctx.view?.runningTurnId) return ctx.print([s.red('a turn is running: interrupt it (Ctrl-C) or wait, then /revert')]);
    const turns = await promptTurns(ctx, ctx.threadId, n);
    const first = turns[n - 1];
    if (!first) return ctx.print([s.red(`only ${turns.length} prompt${turns.length === 1 ? '' : 's'} to revert`)]);
    // The thread.reverted event prints what the agent no longer sees (also another process's revert).
    await ctx.connection.request('thread/revert', { threadId: ctx.threadId, beforeTurnId: first.id });
  },
};

/** Up to `count` of the thread's visible prompt turns, newest first (reverted and replaced ones skipped). */
async function promptTurns(ctx: CommandContext, threadId: string, count: number): Promise<Turn[]> {
  const found: Turn[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.connection.requestRetrying('thread/turns', { threadId, limit: 200, ...(cursor ? { cursor } : {}) });
    for (const turn of page.turns) {
      if (turn.kind === 'prompt' && !turn.revertedAt && !turn.supersededBy && found.length < count) found.push(turn);
    }
    cursor = page.nextCursor;
  } while (cursor && found.length < count);
  return found;
}
