import { oneLine } from '../one-line.js';
import type { SlashCommand } from './command.js';

export const threads: SlashCommand = {
  name: 'threads',
  usage: '/threads',
  summary: 'list threads, most recently active first',
  async run(ctx) {
    const s = ctx.style;
    const { threads: list } = await ctx.connection.requestRetrying('thread/list', { limit: 30 });
    if (list.length === 0) return ctx.print([s.dim('  no threads yet')]);
    ctx.listed.splice(0, ctx.listed.length, ...list.map((t) => t.id));
    const lines = list.map((t, i) => {
      const here = t.id === ctx.threadId ? s.green('●') : ' ';
      const status = t.status === 'running' ? s.yellow('running') : s.dim('idle');
      const queued = t.queuedCount > 0 ? s.yellow(` · ${t.queuedCount} queued`) : '';
      const text = t.preview ? s.dim(` — ${oneLine(t.preview, 60)}`) : '';
      return `${here} ${String(i + 1).padStart(2)}  ${t.id}  ${s.bold(t.title || '(untitled)')}  ${status}${queued}  ${s.dim(t.updatedAt.slice(0, 16).replace('T', ' '))}${text}`;
    });
    ctx.print([...lines, s.dim('  /switch N or /switch ID opens one')]);
  },
};
