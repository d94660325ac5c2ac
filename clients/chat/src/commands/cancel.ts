import type { SlashCommand } from './command.js';
import { queuePosition } from './count.js';

export const cancel: SlashCommand = {
  name: 'cancel',
  usage: '/cancel N',
  summary: 'drop queued prompt N (see /queue)',
  async run(ctx) {
    const pending = ctx.view?.queue ?? [];
    const n = queuePosition(ctx.args || '1', pending.length);
    const admission = n === undefined ? undefined : pending[n - 1];
    if (!admission || !ctx.threadId) return ctx.print([ctx.style.red(`no queued prompt ${ctx.args || '1'} (see /queue)`)]);
    // The prompt.cancelled event removes it from the queue and says so.
    await ctx.connection.request('thread/cancelQueued', { threadId: ctx.threadId, admissionId: admission.id });
  },
};
