import type { SlashCommand } from './command.js';
import { positiveCount } from './count.js';

export const fork: SlashCommand = {
  name: 'fork',
  usage: '/fork [N]',
  summary: 'copy this thread into a new one and switch to it; /fork N stops before your N-th newest prompt and puts it in the input line (/fork 1: redo the last)',
  async run(ctx) {
    const s = ctx.style;
    if (!ctx.threadId) return ctx.print([s.red('nothing to fork yet: this thread is created with your first prompt')]);
    const n = positiveCount(ctx.args);
    if (n === undefined) return ctx.print([s.red('usage: /fork [N] (N ≥ 1: fork before your N-th newest prompt)')]);
    // depthFromTail 0 is the newest prompt: `/fork 1` forks before it, to say it differently.
    const result = await ctx.connection.request('thread/fork', { threadId: ctx.threadId, ...(ctx.args ? { depthFromTail: n - 1 } : {}) });
    const from = ctx.threadId;
    await ctx.switchTo(result.thread.id);
    ctx.print([s.dim(`forked from ${from}: ${result.copiedTurns} turn${result.copiedTurns === 1 ? '' : 's'} copied`)]);
    if (result.originalUserText !== null) {
      ctx.print([s.dim('your prompt is in the input line: edit it and press Enter to send it here')]);
      ctx.setInput(result.originalUserText);
    }
  },
};
