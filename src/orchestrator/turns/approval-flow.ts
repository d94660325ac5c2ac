import type { ApprovalAnswer, ApprovalRule, RuleDraft } from '@threadline/protocol';
import type { EngineApprovalRequest } from '../../host/port.js';
import type { Logger } from '../../log.js';
import type { Tx } from '../commit/tx.js';
import {
  availableChoices,
  decideByRules,
  normaliseDir,
  proposeRule,
  settleAnswer,
  subjectOf,
  type ApprovalSubject,
  type NewRule,
  type RuleSite,
} from '../decide/approval-rules.js';
import { APPROVAL_SUMMARY_BYTES, capText } from '../decide/item-limits.js';
import { newId } from '../ids.js';
import type { ActiveTurn } from './active-turn.js';

type Decision = 'approve' | 'deny';
type Reason = 'client' | 'rule' | 'auto_approve' | 'timed_out';

/** An approval waiting for a decision (ActiveTurn.approvals). */
export interface PendingApproval {
  readonly itemId: string;
  /** Releases the engine with `decision`, recording nothing (the turn's end records the deny). */
  settle(decision: Decision): void;
  /** Withdraws the client's `approval/request` ($/cancelRequest), if one is out. */
  cancel(): void;
  /** `approval/respond`: records the answer; undefined when it is no longer pending. */
  answer(answer: ApprovalAnswer): Promise<{ decision: Decision; ruleId?: string } | undefined>;
  /** Decides it by the stored rules if one matches now (a rule was just added). */
  recheck(): void;
}

export interface ApprovalFlowDeps {
  /** Commits `write` for a turn this process still holds; false (nothing written) when it does not. */
  commitOwned(active: ActiveTurn, write: (tx: Tx) => Promise<void>): Promise<boolean>;
  approvalTimeoutMs: number;
  maxItemBytes: number;
  log: Logger;
  /** A rule was stored: other pending approvals it decides are decided now. */
  onRuleAdded(): void;
}

interface Verdict {
  decision: Decision;
  reason: Reason;
  ruleId?: string;
  /** The verdict stored a new rule. */
  stored?: boolean;
}

const fromRule = (rule: ApprovalRule): Verdict => ({ decision: rule.effect === 'allow' ? 'approve' : 'deny', reason: 'rule', ruleId: rule.id });

/**
 * Asks for one approval of `active`'s tool_call item `itemId`: recorded (`approval.requested`),
 * then decided by the stored rules (a matching deny wins), else by the client, else by the turn's
 * autoApprove; an unanswered one is denied after the timeout. Every decision is one
 * `approval.resolved`; an answer that makes a rule stores it in the same transaction.
 */
export async function askApproval(deps: ApprovalFlowDeps, active: ActiveTurn, itemId: string, request: EngineApprovalRequest): Promise<Decision> {
  const { threadId, turnId } = active;
  const approvalId = newId('approval');
  // What the client is asked stays within the caps (each cut one says so): the event and the
  // `approval/request` never grow with what a model asks to run. Rules match the uncut request.
  const details = {
    kind: request.kind,
    summary: capText(request.summary, APPROVAL_SUMMARY_BYTES),
    detail: capText(request.detail, deps.maxItemBytes),
  };
  let site: RuleSite = { threadId };
  let subject: ApprovalSubject = { kind: request.kind };
  let proposed: RuleDraft | undefined;
  let byRule: ApprovalRule | undefined;
  const asked = await deps.commitOwned(active, async (tx) => {
    await active.pending.writeAll(tx); // the tool call item is committed before anyone is asked about it
    const cwd = normaliseDir((await tx.threads.find(threadId))?.cwd);
    site = cwd ? { threadId, cwd } : { threadId };
    subject = subjectOf(request, cwd);
    proposed = proposeRule(subject, site);
    await tx.emit(threadId, 'approval.requested', { approvalId, itemId, request: details }, { turnId, itemId });
    byRule = decideByRules(await tx.approvalRules.listApplicable(threadId, cwd), subject, site);
    if (byRule) await tx.emit(threadId, 'approval.resolved', { approvalId, ...resolvedFields(fromRule(byRule)) }, { turnId, itemId });
  });
  if (!asked) return 'deny';
  if (byRule) return fromRule(byRule).decision;

  return new Promise((resolve) => {
    const withdraw = new AbortController();
    const settle = (decision: Decision) => {
      if (!active.approvals.delete(approvalId)) return;
      clearTimeout(timer);
      resolve(decision);
    };
    /** Attempts to decide, one after another: an answer arriving while a recheck commits is tried after it. */
    let attempts: Promise<unknown> = Promise.resolve();
    const finish = (decideIn: (tx: Tx) => Promise<Verdict | undefined>, cancelRequest: boolean): Promise<Verdict | undefined> => {
      const attempt = attempts.then(() => finishNow(decideIn, cancelRequest));
      attempts = attempt.catch(() => undefined);
      return attempt;
    };
    /** Records the verdict `decideIn` reaches (none: still pending) and releases the engine. */
    const finishNow = async (decideIn: (tx: Tx) => Promise<Verdict | undefined>, cancelRequest: boolean): Promise<Verdict | undefined> => {
      if (active.ended || !active.approvals.has(approvalId)) return undefined;
      let verdict: Verdict | undefined;
      let recorded: boolean;
      try {
        recorded = await deps.commitOwned(active, async (tx) => {
          verdict = await decideIn(tx);
          if (verdict) await tx.emit(threadId, 'approval.resolved', { approvalId, ...resolvedFields(verdict) }, { turnId, itemId });
        });
      } catch (error) {
        deps.log.warn('the database refused an approval decision: denied', { approvalId, error: (error as Error).message });
        verdict = { decision: 'deny', reason: 'client' };
        recorded = false;
      }
      if (recorded && !verdict) return undefined;
      if (cancelRequest) withdraw.abort();
      const decision = recorded ? verdict!.decision : 'deny';
      settle(decision);
      if (recorded && verdict!.stored) deps.onRuleAdded();
      return { ...verdict!, decision };
    };
    const answerWith = (answer: ApprovalAnswer, cancelRequest: boolean) =>
      finish(async (tx) => {
        const { decision, rule } = settleAnswer(answer, proposed, site);
        if (!rule) return { decision, reason: 'client' };
        // The same rule answered twice is stored once: the table grows with distinct rules only.
        const same = (await tx.approvalRules.list()).find((r) => sameRule(r, rule));
        if (same) return { decision, reason: 'client', ruleId: same.id };
        const stored: ApprovalRule = { id: newId('rule'), ...rule, createdAt: tx.now };
        await tx.approvalRules.insert(stored);
        if (rule.scope.kind === 'thread') await tx.emit(threadId, 'approval.ruleAdded', { rule: stored }, { turnId });
        return { decision, reason: 'client', ruleId: stored.id, stored: true };
      }, cancelRequest);

    active.approvals.set(approvalId, {
      itemId,
      settle,
      cancel: () => withdraw.abort(),
      answer: async (answer) => {
        const verdict = await answerWith(answer, true);
        return verdict && (verdict.ruleId ? { decision: verdict.decision, ruleId: verdict.ruleId } : { decision: verdict.decision });
      },
      recheck: () => {
        void finish(async (tx) => {
          const rule = decideByRules(await tx.approvalRules.listApplicable(threadId, site.cwd), subject, site);
          return rule && fromRule(rule);
        }, true);
      },
    });
    const timer = setTimeout(() => void finish(async () => ({ decision: 'deny', reason: 'timed_out' }), true), deps.approvalTimeoutMs);
    timer.unref();
    const client = active.peer.approvals;
    if (!client) {
      void finish(async () => ({ decision: active.autoApprove ? 'approve' : 'deny', reason: 'auto_approve' }), false);
      return;
    }
    const params = { threadId, turnId, itemId, approvalId, ...details, availableDecisions: availableChoices(proposed), ...(proposed ? { proposedRule: proposed } : {}) };
    client(params, withdraw.signal).then(
      (answer) => void answerWith(answer, false),
      () => void finish(async () => ({ decision: 'deny', reason: 'client' }), false),
    );
  });
}

function sameRule(a: ApprovalRule, b: NewRule): boolean {
  return a.effect === b.effect && JSON.stringify(a.match) === JSON.stringify(b.match) && JSON.stringify(a.scope) === JSON.stringify(b.scope);
}

function resolvedFields(verdict: Verdict): { decision: Decision; reason: Reason; ruleId?: string } {
  return verdict.ruleId ? { decision: verdict.decision, reason: verdict.reason, ruleId: verdict.ruleId } : { decision: verdict.decision, reason: verdict.reason };
}
