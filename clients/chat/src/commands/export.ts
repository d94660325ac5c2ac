import { resolve } from 'node:path';
import { writePrivately } from '../private-file.js';
import type { SlashCommand } from './command.js';

export const exportThread: SlashCommand = {
  name: 'export',
  usage: '/export FILE',
  summary: 'write this thread to FILE as a document (threadline import FILE brings it back)',
  async run(ctx) {
    const s = ctx.style;
    if (!ctx.args) return ctx.print([s.red('usage: /export FILE')]);
    if (!ctx.threadId) return ctx.print([s.red('nothing to export yet')]);
    const { document } = await ctx.connection.request('thread/export', { threadId: ctx.threadId });
    const path = resolve(ctx.args);
    writePrivately(path, `${JSON.stringify(document, null, 2)}\n`);
    ctx.print([s.dim(`exported ${document.turns.length} turn${document.turns.length === 1 ? '' : 's'} to ${path}`)]);
  },
};
