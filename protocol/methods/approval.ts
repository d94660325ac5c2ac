import * as z from 'zod/mini';
import { approvalChoiceSchema, approvalRuleSchema, ruleDraftSchema } from '../approval-rules.js';
import { approvalDecisionSchema } from '../events.js';
import { idParam } from '../ids.js';
import { doc, lazy, named } from '../registry.js';
import { method, type MethodSpec } from './spec.js';
import { absolutePath } from './params.js';

/** Approval rules (PROTOCOL.md §6, Approval rules): list and revoke them, answer an approval by id. */

const ApprovalListRulesParamsSchema = lazy(() => named(
  'ApprovalListRulesParams',
  'Which rules: those that apply to a thread (its own, its `cwd`\'s, the global ones), to a workspace `cwd`, or all when neither is given.',
  z.object({
    threadId: doc("The rules that apply to this thread: its thread rules, those of its `cwd` (or of `cwd` when given) and the global ones.", z.optional(idParam('threadId'))),
    cwd: doc('The rules of this workspace directory and the global ones (with `threadId`: instead of the thread\'s own cwd).', z.optional(absolutePath())),
  }),
));
const ApprovalListRulesResultSchema = lazy(() => named(
  'ApprovalListRulesResult',
  'The rules, oldest first.',
  z.object({ rules: doc('Oldest first.', z.array(approvalRuleSchema())) }),
));

const ApprovalRevokeRuleParamsSchema = lazy(() => named(
  'ApprovalRevokeRuleParams',
  'Which rule to remove: approvals it matched are asked again.',
  z.object({ ruleId: doc('The rule (`rule_…`).', idParam('ruleId')) }),
));
const ApprovalRevokeRuleResultSchema = lazy(() => named(
  'ApprovalRevokeRuleResult',
  'The removed rule.',
  z.object({ rule: doc('The rule as it was.', approvalRuleSchema()) }),
));

const ApprovalRespondParamsSchema = lazy(() => named(
  'ApprovalRespondParams',
  'Answers a pending approval by its id (from `approval.requested`) instead of, or before, the `approval/request` answer; any connection to the server process that runs the turn may.',
  z.object({
    approvalId: doc('The pending approval (`appr_…`).', idParam('approvalId')),
    decision: doc('As in an `approval/request` answer.', approvalChoiceSchema()),
    rule: doc('With `approveAlways` / `denyAlways`: the rule to store instead of the proposed one.', z.optional(ruleDraftSchema())),
  }),
));
const ApprovalRespondResultSchema = lazy(() => named(
  'ApprovalRespondResult',
  'The decision the engine got, and the rule the answer stored.',
  z.object({
    decision: doc('What the engine got.', approvalDecisionSchema()),
    ruleId: doc('The rule the answer stored, if any.', z.optional(z.string())),
  }),
));

export const ApprovalMethods = {
  'approval/listRules': method(ApprovalListRulesParamsSchema, ApprovalListRulesResultSchema, ['ThreadNotFound']),
  'approval/revokeRule': method(ApprovalRevokeRuleParamsSchema, ApprovalRevokeRuleResultSchema, ['RuleNotFound']),
  'approval/respond': method(ApprovalRespondParamsSchema, ApprovalRespondResultSchema, ['ApprovalNotFound']),
} as const satisfies Record<string, MethodSpec>;
