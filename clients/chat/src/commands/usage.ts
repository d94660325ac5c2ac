import type { SlashCommand } from './command.js';

export const usage: SlashCommand = {
  name: 'usage',
  usage: '/usage',
  summary: "this thread's tokens and cost so far (all threads: threadline usage)",
  async run(ctx) {
    const s = ctx.style;
    if (!ctx.threadId) return ctx.print([s.dim('no turns yet')]);
    const { total } = await ctx.connection.request('usage/report', { groupBy: 'thread', threadId: ctx.threadId });
    const cost = total.costUsd === null ? '' : ` · $${total.costUsd.toFixed(4)}`;
    const cached = total.cachedInputTokens > 0 ? ` (${total.cachedInputTokens.toLocaleString('en-US')} cached)` : '';
    ctx.print([
      s.dim(`${total.turns} turn${total.turns === 1 ? '' : 's'} · ${total.inputTokens.toLocaleString('en-US')} input tokens${cached} · ${total.outputTokens.toLocaleString('en-US')} output${cost}`),
    ]);
  },
};
