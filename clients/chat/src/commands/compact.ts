import type { SlashCommand } from './command.js';

export const compact: SlashCommand = {
  name: 'compact',
  usage: '/compact [instructions]',
  summary: "summarise the conversation so far: the agent sees the summary instead of what came before",
  async run(ctx) {
    if (!ctx.threadId) return ctx.print([ctx.style.red('nothing to compact yet')]);
    const instructions = ctx.args;
    // The summary streams as the turn's context_compaction item; errors (busy, a host that cannot compact) print as errors.
    await ctx.connection.request('thread/compact', { threadId: ctx.threadId, ...(instructions ? { instructions } : {}) });
  },
};
