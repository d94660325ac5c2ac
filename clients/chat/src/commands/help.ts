import type { SlashCommand } from './command.js';

export const help: SlashCommand = {
  name: 'help',
  usage: '/help',
  summary: 'this list',
  async run(ctx) {
    const s = ctx.style;
    ctx.print([
      ...ctx.commands.map((c) => `  ${s.bold(c.usage.padEnd(14))} ${c.summary}`),
      s.dim('  Enter sends (queues while a turn runs) · Tab steers into the running turn · ↑ edits your last prompt'),
      s.dim('  Ctrl-C interrupts the turn; when idle, Ctrl-C twice or Ctrl-D exits'),
      s.dim('  approvals: y / n once · t approve for this thread · Y always approve · N always deny (the rule is shown; /rules lists them)'),
    ]);
  },
};
