import type { SlashCommand } from './command.js';
import { queuePosition } from './count.js';

export const edit: SlashCommand = {
  name: 'edit',
  usage: '/edit N',
  summary: 'load queued prompt N into the input line; Enter saves it (same place in the queue)',
  async run(ctx) {
    const pending = ctx.view?.queue ?? [];
    const n = queuePosition(ctx.args, pending.length);
    const admission = n === undefined ? undefined : pending[n - 1];
    if (!admission || !ctx.threadId) return ctx.print([ctx.style.red(`no queued prompt ${ctx.args || '(give its number)'} (see /queue)`)]);
    const threadId = ctx.threadId;
    ctx.setInput(admission.prompt, {
      label: `editing queued prompt ${n}`,
      // The prompt.updated event changes it in the queue; a prompt that started meanwhile answers -32004.
      onSubmit: async (text) => void (await ctx.connection.request('thread/updateQueued', { threadId, admissionId: admission.id, prompt: text })),
    });
  },
};
