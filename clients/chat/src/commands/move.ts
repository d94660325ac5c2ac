import type { SlashCommand } from './command.js';
import { queuePosition } from './count.js';

export const move: SlashCommand = {
  name: 'move',
  usage: '/move N M',
  summary: 'move queued prompt N to position M',
  async run(ctx) {
    const pending = ctx.view?.queue ?? [];
    const [a, b, extra] = ctx.args.split(/\s+/);
    const from = queuePosition(a, pending.length);
    const to = queuePosition(b, pending.length);
    if (from === undefined || to === undefined || extra !== undefined || !ctx.threadId) {
      return ctx.print([ctx.style.red(`usage: /move N M, with N and M between 1 and ${pending.length} (see /queue)`)]);
    }
    const ids = pending.map((admission) => admission.id);
    const [moved] = ids.splice(from - 1, 1);
    ids.splice(to - 1, 0, moved!);
    // Every pending id, in the new order: a queue that changed meanwhile answers -32602, nothing moves.
    await ctx.connection.request('thread/reorderQueued', { threadId: ctx.threadId, admissionIds: ids });
  },
};
