import * as z from 'zod/mini';
import { doc, lazy, named } from './registry.js';
import { timestampSchema } from './schemas.js';

/**
 * Approval rules (PROTOCOL.md §6, Approval rules): what a client may answer an `approval/request`
 * with beyond yes/no, and the rules such answers store. Shared by the events, the server request
 * and the `approval/*` methods.
 */

/** What a rule's text fields may hold at most. */
export const RULE_LIMITS = { tool: 256, commandPrefix: 1000, pathGlob: 4096 } as const;

const ruleText = (name: string, max: number) =>
  z
    .string({ error: `${name} must be a string` })
    .check(z.minLength(1, `${name} must not be empty`), z.maxLength(max, `${name} is longer than ${max} characters`));

export const approvalChoiceSchema = lazy(() => z.enum(['approve', 'approveForThread', 'approveAlways', 'deny', 'denyAlways', 'cancel']));
export const ApprovalChoiceSchema = /* @__PURE__ */ approvalChoiceSchema();
export type ApprovalChoice = z.infer<typeof ApprovalChoiceSchema>;

/** Built (and registered) on the first call; {@link RuleMatchSchema} is the same schema, built on import. */
export const ruleMatchSchema = lazy(() =>
  named(
    'RuleMatch',
    'What a rule matches: exactly one of `tool`, `commandPrefix`, `pathGlob`.',
    z
      .object({
        tool: doc("The tool's name, exactly (e.g. `shell`, `mcp__github__create_issue`).", z.optional(ruleText('tool', RULE_LIMITS.tool))),
        commandPrefix: doc(
          'Leading words of a shell command (`git status`): matches a command whose words start with these words, and only when the command has no shell metacharacter (`;` `&` `|` `<` `>` `$` backquote, backslash, brackets, globs, a newline…).',
          z.optional(ruleText('commandPrefix', RULE_LIMITS.commandPrefix)),
        ),
        pathGlob: doc(
          'An absolute glob (`/work/app/src/**`; `**` any depth, `*` and `?` within one name) matched against the normalised absolute path a file tool uses.',
          z.optional(ruleText('pathGlob', RULE_LIMITS.pathGlob).check(z.refine((p) => p.startsWith('/'), 'pathGlob must be an absolute path (start with /)'))),
        ),
      })
      .check(
        z.refine((m) => [m.tool, m.commandPrefix, m.pathGlob].filter((v) => v !== undefined).length === 1, {
          message: 'match needs exactly one of tool, commandPrefix, pathGlob',
        }),
      ),
  ),
);
export const RuleMatchSchema = /* @__PURE__ */ ruleMatchSchema();
export type RuleMatch = z.infer<typeof RuleMatchSchema>;

/** Built (and registered) on the first call; {@link RuleScopeSchema} is the same schema, built on import. */
export const ruleScopeSchema = lazy(() =>
  named(
    'RuleScope',
    'Where a rule applies: one thread, every thread whose `cwd` is this directory, or everywhere.',
    z.discriminatedUnion('kind', [
      z.object({ kind: doc('One thread.', z.literal('thread')), threadId: doc('The thread.', z.string().check(z.minLength(1))) }),
      z.object({
        kind: doc('Threads of one working directory.', z.literal('workspace')),
        cwd: doc('An absolute directory: the rule applies to threads with exactly this `cwd`.', z.string().check(z.refine((p) => p.startsWith('/'), 'cwd must be an absolute path'))),
      }),
      z.object({ kind: doc('Every thread.', z.literal('global')) }),
    ]),
  ),
);
export const RuleScopeSchema = /* @__PURE__ */ ruleScopeSchema();
export type RuleScope = z.infer<typeof RuleScopeSchema>;

export const ruleEffectSchema = lazy(() => z.enum(['allow', 'deny']));
export const RuleEffectSchema = /* @__PURE__ */ ruleEffectSchema();
export type RuleEffect = z.infer<typeof RuleEffectSchema>;

/** Built (and registered) on the first call; {@link RuleDraftSchema} is the same schema, built on import. */
export const ruleDraftSchema = lazy(() =>
  named(
    'RuleDraft',
    'A rule before it is stored: what it matches and where it applies.',
    z.object({ match: doc('What it matches.', ruleMatchSchema()), scope: doc('Where it applies.', ruleScopeSchema()) }),
  ),
);
export const RuleDraftSchema = /* @__PURE__ */ ruleDraftSchema();
export type RuleDraft = z.infer<typeof RuleDraftSchema>;

/** Built (and registered) on the first call; {@link ApprovalRuleSchema} is the same schema, built on import. */
export const approvalRuleSchema = lazy(() =>
  named(
    'ApprovalRule',
    'A stored approval rule: approvals it matches are decided without asking; a matching `deny` wins over any `allow`.',
    z.object({
      id: doc('Rule id (`rule_` + UUIDv7).', z.string()),
      effect: doc('`allow` approves, `deny` denies what it matches.', ruleEffectSchema()),
      match: doc('What it matches.', ruleMatchSchema()),
      scope: doc('Where it applies.', ruleScopeSchema()),
      createdAt: doc('When it was made (ISO-8601 UTC).', timestampSchema()),
    }),
  ),
);
export const ApprovalRuleSchema = /* @__PURE__ */ approvalRuleSchema();
export type ApprovalRule = z.infer<typeof ApprovalRuleSchema>;

/** Built on the first call; {@link ApprovalAnswerSchema} is the same schema, built on import. */
export const approvalAnswerSchema = lazy(() => z.object({
  decision: doc(
    '`approve` / `deny` this request once; `approveForThread`: approve, and approve what the proposed rule matches in this thread from now on; `approveAlways` / `denyAlways`: decide, and store `rule` (default: the proposed rule) as an allow / deny rule; `cancel`: no decision (denied). An `*Always` or `*ForThread` answer without any rule decides once.',
    approvalChoiceSchema(),
  ),
  rule: doc('With `approveAlways` / `denyAlways`: the rule to store instead of the proposed one.', z.optional(ruleDraftSchema())),
}));
export const ApprovalAnswerSchema = /* @__PURE__ */ approvalAnswerSchema();
export type ApprovalAnswer = z.infer<typeof ApprovalAnswerSchema>;
