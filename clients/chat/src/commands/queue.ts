import { oneLine } from '../one-line.js';
import type { SlashCommand } from './command.js';

export const queue: SlashCommand = {
  name: 'queue',
  usage: '/queue',
  summary: 'list the prompts waiting behind the running turn',
  async run(ctx) {
    const pending = ctx.view?.queue ?? [];
    if (pending.length === 0) return ctx.print([ctx.style.dim('  the queue is empty')]);
    ctx.print([...pending.map((a, i) => `  ${i + 1}. ${oneLine(a.prompt, 120)}`), ctx.style.dim('  /edit N changes one · /move N M reorders · /cancel N drops one')]);
  },
};
