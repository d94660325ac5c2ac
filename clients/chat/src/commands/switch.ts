import type { SlashCommand } from './command.js';

export const switchThread: SlashCommand = {
  name: 'switch',
  usage: '/switch N|ID',
  summary: 'open thread N of the last /threads list, or the thread with this id (or a unique part of it)',
  async run(ctx) {
    const arg = ctx.args;
    if (!arg) return ctx.print([ctx.style.red('usage: /switch N|ID (see /threads)')]);
    let id: string | undefined;
    if (/^\d+$/.test(arg) && ctx.listed[Number(arg) - 1]) id = ctx.listed[Number(arg) - 1];
    else {
      const { threads } = await ctx.connection.requestRetrying('thread/list', { limit: 200 });
      const matches = threads.filter((t) => t.id === arg || t.id.includes(arg));
      if (matches.length > 1 && !matches.some((t) => t.id === arg)) return ctx.print([ctx.style.red(`"${arg}" matches ${matches.length} threads; give more of the id`)]);
      id = matches.find((t) => t.id === arg)?.id ?? matches[0]?.id ?? (arg.startsWith('thr_') ? arg : undefined);
    }
    if (!id) return ctx.print([ctx.style.red(`no thread "${arg}" (see /threads)`)]);
    await ctx.switchTo(id);
  },
};
