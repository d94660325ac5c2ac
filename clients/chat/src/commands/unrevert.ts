import type { SlashCommand } from './command.js';

export const unrevert: SlashCommand = {
  name: 'unrevert',
  usage: '/unrevert',
  summary: 'bring back what the last /revert hid (if no prompt ran since)',
  async run(ctx) {
    if (!ctx.threadId) return ctx.print([ctx.style.red('nothing to unrevert')]);
    // The thread.unreverted event prints what came back; "Nothing to unrevert" (-32011) is shown as an error.
    await ctx.connection.request('thread/unrevert', { threadId: ctx.threadId });
  },
};
