import type { ApprovalRule, RuleMatch, RuleScope } from '@threadline/protocol';
import type { ApprovalRuleReads, ApprovalRuleWrites } from '../../port.js';
import type { Ctx } from '../db.js';

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
// COLLATE "C": the same order as SQLite's byte-wise comparison, whatever the database's collation.
const ORDER = 'ORDER BY created_at COLLATE "C", id COLLATE "C"';

function toRule(row: RuleRow): ApprovalRule {
  const match = { [row.match_kind]: row.match_value } as RuleMatch;
  const scope: RuleScope =
    row.scope_kind === 'thread' ? { kind: 'thread', threadId: row.thread_id! } : row.scope_kind === 'workspace' ? { kind: 'workspace', cwd: row.cwd! } : { kind: 'global' };
  return { id: row.id, effect: row.effect, match, scope, createdAt: row.created_at };
}

/** Approval rules (migration 002): one match and one scope per row. Rules are not thread rows: no thread lock. */
export function approvalRuleTable({ sql }: Ctx): ApprovalRuleReads & ApprovalRuleWrites {
  return {
    find: async (id) => {
      const [row] = await sql.rows<RuleRow>(`SELECT ${COLUMNS} FROM approval_rules WHERE id = $1`, [id]);
      return row && toRule(row);
    },
    list: async () => (await sql.rows<RuleRow>(`SELECT ${COLUMNS} FROM approval_rules ${ORDER}`)).map(toRule),
    listApplicable: async (threadId, cwd) =>
      (
        await sql.rows<RuleRow>(
          `SELECT ${COLUMNS} FROM approval_rules
           WHERE scope_kind = 'global' OR (scope_kind = 'thread' AND thread_id = $1) OR (scope_kind = 'workspace' AND cwd = $2) ${ORDER}`,
          [threadId ?? null, cwd ?? null],
        )
      ).map(toRule),
    insert: async (rule) => {
      const [matchKind, matchValue] = Object.entries(rule.match).find(([, v]) => v !== undefined)!;
      const { scope } = rule;
      await sql.run(`INSERT INTO approval_rules (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        rule.id,
        rule.effect,
        matchKind,
        matchValue,
        scope.kind,
        scope.kind === 'thread' ? scope.threadId : null,
        scope.kind === 'workspace' ? scope.cwd : null,
        rule.createdAt,
      ]);
    },
    delete: async (id) => (await sql.run('DELETE FROM approval_rules WHERE id = $1', [id])) > 0,
  };
}
