import type { Preparer } from '../lazy-statements.js';
import type { ApprovalRule, RuleMatch, RuleScope } from '@threadline/protocol';
import type { ApprovalRuleReads, ApprovalRuleWrites } from '../../port.js';
import type { Sync } from '../settled.js';

interface RuleRow {
  id: string;
  effect: ApprovalRule['effect'];
  match_kind: 'tool' | 'commandPrefix' | 'pathGlob';
  match_value: string;
  scope_kind: RuleScope['kind'];
  thread_id: string | null;
  cwd: string | null;
  created_at: string;
}

const COLUMNS = 'id, effect, match_kind, match_value, scope_kind, thread_id, cwd, created_at';
const ORDER = 'ORDER BY created_at, id';

function toRule(row: RuleRow): ApprovalRule {
  const match = { [row.match_kind]: row.match_value } as RuleMatch;
  const scope: RuleScope =
    row.scope_kind === 'thread' ? { kind: 'thread', threadId: row.thread_id! } : row.scope_kind === 'workspace' ? { kind: 'workspace', cwd: row.cwd! } : { kind: 'global' };
  return { id: row.id, effect: row.effect, match, scope, createdAt: row.created_at };
}

/** Approval rules (migration 007): one match and one scope per row. */
export function approvalRuleTable(db: Preparer): Sync<ApprovalRuleReads & ApprovalRuleWrites> {
  const find = db.prepare<[string], RuleRow>(`SELECT ${COLUMNS} FROM approval_rules WHERE id = ?`);
  const all = db.prepare<[], RuleRow>(`SELECT ${COLUMNS} FROM approval_rules ${ORDER}`);
  const applicable = db.prepare<[{ threadId: string | null; cwd: string | null }], RuleRow>(
    `SELECT ${COLUMNS} FROM approval_rules
     WHERE scope_kind = 'global' OR (scope_kind = 'thread' AND thread_id = @threadId) OR (scope_kind = 'workspace' AND cwd = @cwd) ${ORDER}`,
  );
  const insert = db.prepare(
    `INSERT INTO approval_rules (${COLUMNS}) VALUES (@id, @effect, @matchKind, @matchValue, @scopeKind, @threadId, @cwd, @createdAt)`,
  );
  const remove = db.prepare<[string]>('DELETE FROM approval_rules WHERE id = ?');
  return {
    find: (id) => {
      const row = find.get(id);
      return row && toRule(row);
    },
    list: () => all.all().map(toRule),
    listApplicable: (threadId, cwd) => applicable.all({ threadId: threadId ?? null, cwd: cwd ?? null }).map(toRule),
    insert: (rule) => {
      const [matchKind, matchValue] = Object.entries(rule.match).find(([, v]) => v !== undefined)!;
      const { scope } = rule;
      insert.run({
        id: rule.id,
        effect: rule.effect,
        matchKind,
        matchValue,
        scopeKind: scope.kind,
        threadId: scope.kind === 'thread' ? scope.threadId : null,
        cwd: scope.kind === 'workspace' ? scope.cwd : null,
        createdAt: rule.createdAt,
      });
    },
    delete: (id) => remove.run(id).changes > 0,
  };
}
