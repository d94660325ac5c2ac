import type { ApprovalRule } from '@threadline/protocol';
import { matchText, scopeText } from '../rule-text.js';
import type { CommandContext, SlashCommand } from './command.js';

/** Rule ids of the last listing, so `/rules revoke 2` works. */
let listed: string[] = [];

/**
 * `/rules`: the approval rules that apply to this thread (its own, its workspace's, the global
 * ones; `/rules all`: every rule), numbered; `/rules revoke N|ID` deletes one — its next match is
 * asked again.
 */
export const rules: SlashCommand = {
  name: 'rules',
  usage: '/rules [all|revoke N]',
  summary: 'approval rules that apply here; revoke one',
  async run(ctx) {
    const [verb, arg] = ctx.args.split(/\s+/);
    if (verb === 'revoke') return revoke(ctx, arg ?? '');
    if (verb && verb !== 'all') return ctx.print([ctx.style.red(`unknown: /rules ${ctx.args} (try /rules, /rules all, /rules revoke N)`)]);
    const params = verb === 'all' || !ctx.threadId ? {} : { threadId: ctx.threadId };
    const { rules: found } = await ctx.connection.request('approval/listRules', params);
    listed = found.map((r) => r.id);
    const s = ctx.style;
    if (found.length === 0) return ctx.print([s.dim('no approval rules (answer an approval with t, Y or N to make one)')]);
    ctx.print([
      ...found.map((r, i) => `  ${String(i + 1).padStart(2)}  ${effect(r, s)}  ${matchText(r.match)} ${s.dim(scopeText(r.scope, ctx.threadId))}`),
      s.dim('  /rules revoke N deletes one'),
    ]);
  },
};

function effect(rule: ApprovalRule, s: CommandContext['style']): string {
  return rule.effect === 'allow' ? s.green('allow') : s.red('deny ');
}

async function revoke(ctx: CommandContext, which: string): Promise<void> {
  const n = Number(which);
  const ruleId = /^\d+$/.test(which) ? listed[n - 1] : which || undefined;
  if (!ruleId) return ctx.print([ctx.style.red(`no rule ${which || '?'} (list them with /rules)`)]);
  try {
    const { rule } = await ctx.connection.request('approval/revokeRule', { ruleId });
    listed = listed.filter((id) => id !== ruleId);
    ctx.print([ctx.style.dim(`revoked: ${rule.effect} ${matchText(rule.match)} ${scopeText(rule.scope, ctx.threadId)}`)]);
  } catch (error) {
    ctx.print([ctx.style.red(`could not revoke ${ruleId}: ${(error as Error).message}`)]);
  }
}
