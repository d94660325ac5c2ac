import type { SlashCommand } from './command.js';

export const newThread: SlashCommand = {
  name: 'new',
  usage: '/new',
  summary: 'start a new thread (created with your next prompt)',
  async run(ctx) {
    await ctx.switchTo(undefined);
  },
};
