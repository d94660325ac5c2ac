import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
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
    // The conversation is private: a new file is 0600 whatever the umask.
    const fd = openSync(path, 'w', 0o600);
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, `${JSON.stringify(document, null, 2)}\n`);
    } finally {
      closeSync(fd);
    }
    ctx.print([s.dim(`exported ${document.turns.length} turn${document.turns.length === 1 ? '' : 's'} to ${path}`)]);
  },
};
