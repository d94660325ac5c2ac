import { ApprovalNotFoundError, RuleNotFoundError, type ParsedParamsOf, type ResultOf } from '@threadline/protocol';
import { normaliseDir } from '../decide/approval-rules.js';
import type { OperationDeps } from './deps.js';
import { requireThread } from './read-thread.js';

/**
 * `approval/listRules`: with a thread (or a cwd), the rules that apply there — the thread's own,
 * its workspace's and the global ones; with neither, every rule.
 */
export async function listApprovalRules(d: OperationDeps, p: ParsedParamsOf<'approval/listRules'>): Promise<ResultOf<'approval/listRules'>> {
  return await d.store.read(async (tx) => {
    if (p.threadId === undefined && p.cwd === undefined) return { rules: await tx.approvalRules.list() };
    const cwd = normaliseDir(p.cwd ?? (p.threadId !== undefined ? (await requireThread(tx, p.threadId)).cwd : undefined));
    return { rules: await tx.approvalRules.listApplicable(p.threadId, cwd) };
  });
}

/** `approval/revokeRule`: the rule is gone (a thread-scoped one says so in its thread's log); the next matching approval is asked. */
export async function revokeApprovalRule(d: OperationDeps, p: ParsedParamsOf<'approval/revokeRule'>): Promise<ResultOf<'approval/revokeRule'>> {
  return await d.commit(async (tx) => {
    const rule = await tx.approvalRules.find(p.ruleId);
    if (!rule || !await tx.approvalRules.delete(p.ruleId)) throw new RuleNotFoundError(p.ruleId);
    if (rule.scope.kind === 'thread') await tx.emit(rule.scope.threadId, 'approval.ruleRevoked', { rule });
    return { rule };
  });
}

/**
 * `approval/respond`: answers an approval still pending in this process, as its `approval/request`
 * answer would (the request, if one is out, is withdrawn). Unknown, decided or another process's: -32006.
 */
export async function respondToApproval(d: OperationDeps, p: ParsedParamsOf<'approval/respond'>): Promise<ResultOf<'approval/respond'>> {
  const verdict = await d.runner.pendingApproval(p.approvalId)?.answer(p.rule ? { decision: p.decision, rule: p.rule } : { decision: p.decision });
  if (!verdict) throw new ApprovalNotFoundError(p.approvalId);
  return verdict;
}
