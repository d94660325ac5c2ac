import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApprovalRule, RuleMatch, RuleScope } from '@threadline/protocol';
import {
  commandMatches,
  commandPrefixOf,
  decideByRules,
  pathMatches,
  proposeRule,
  settleAnswer,
  subjectOf,
} from '../../src/orchestrator/decide/approval-rules.js';

const site = { threadId: 'thr_a', cwd: '/work/app' };
let n = 0;
const rule = (effect: 'allow' | 'deny', match: RuleMatch, scope: RuleScope = { kind: 'global' }): ApprovalRule => ({
  id: `rule_${++n}`,
  effect,
  match,
  scope,
  createdAt: '2026-01-01T00:00:00.000Z',
});

test('a command prefix matches on whole words only', () => {
  assert.equal(commandMatches('git status', 'git status'), true);
  assert.equal(commandMatches('git status', 'git status --short'), true);
  assert.equal(commandMatches('git status', '  git   status\t-s '), true);
  assert.equal(commandMatches('git status', 'git statuses'), false);
  assert.equal(commandMatches('git status', 'git'), false);
  assert.equal(commandMatches('git st', 'git status'), false);
  assert.equal(commandMatches('git', 'gitk'), false);
});

test('a command prefix never matches a command with shell metacharacters after it', () => {
  for (const command of [
    'git status; rm -rf /',
    'git status && rm -rf /',
    'git status || true',
    'git status | sh',
    'git status > /etc/passwd',
    'git status < x',
    'git status $(rm -rf /)',
    'git status `rm -rf /`',
    'git status ${HOME}',
    'git status\nrm -rf /',
    'git status\rrm',
    'git status & rm -rf /',
    'git status \\\nrm',
    'git status (x)',
    'git status *',
    'git status ~/x',
    'git status\u202e',
    'git status\u0000',
  ]) {
    assert.equal(commandMatches('git status', command), false, JSON.stringify(command));
  }
  // A prefix with a metacharacter (a client's own rule) matches nothing.
  assert.equal(commandMatches('git status;', 'git status; ls'), false);
  // `~` inside a word is not an expansion.
  assert.equal(commandMatches('git diff', 'git diff HEAD~1'), true);
});

test('the proposed prefix is the first word, and the second when it names a subcommand', () => {
  assert.equal(commandPrefixOf('git status'), 'git status');
  assert.equal(commandPrefixOf('  npm   test -- --watch'), 'npm test');
  assert.equal(commandPrefixOf('ls -la'), 'ls');
  assert.equal(commandPrefixOf('cat src/a.ts'), 'cat');
  assert.equal(commandPrefixOf('make'), 'make');
  assert.equal(commandPrefixOf(''), undefined);
  assert.equal(commandPrefixOf('$(evil) status'), undefined);
});

test('a path glob matches the normalised path: .. cannot escape it nor dodge a deny', () => {
  assert.equal(pathMatches('/work/app/src/**', '/work/app/src/a.ts'), true);
  assert.equal(pathMatches('/work/app/src/**', '/work/app/src/x/y/z.ts'), true);
  assert.equal(pathMatches('/work/app/src/**', '/work/app/src'), true);
  assert.equal(pathMatches('/work/app/src/**', '/work/app/srcs/a.ts'), false);
  assert.equal(pathMatches('/work/app/src/*.ts', '/work/app/src/a.ts'), true);
  assert.equal(pathMatches('/work/app/src/*.ts', '/work/app/src/x/a.ts'), false);
  assert.equal(pathMatches('/work/app/src/?.ts', '/work/app/src/a.ts'), true);
  assert.equal(pathMatches('/work/app/**/*.md', '/work/app/README.md'), true);
  assert.equal(pathMatches('/work/app/**/*.md', '/work/app/docs/x/README.md'), true);
  // A path that is not normalised never matches (subjects are normalised before matching).
  assert.equal(pathMatches('/work/app/src/**', '/work/app/src/../../../etc/passwd'), false);
  // The subject's path is resolved: `src/../../etc` is outside src.
  const escaped = subjectOf({ kind: 'edit', path: 'src/../../../etc/passwd' }, '/work/app');
  assert.equal(escaped.path, '/etc/passwd');
  assert.equal(decideByRules([rule('allow', { pathGlob: '/work/app/src/**' })], escaped, site), undefined);
  // A deny on a directory still catches a path written the long way round.
  const sneaky = subjectOf({ kind: 'edit', path: '/work/app/src/./../secrets//key' }, '/work/app');
  assert.equal(sneaky.path, '/work/app/secrets/key');
  const deny = rule('deny', { pathGlob: '/work/app/secrets/**' });
  assert.equal(decideByRules([rule('allow', { pathGlob: '/work/app/**' }), deny], sneaky, site), deny);
  // A relative path without a cwd is unknown: nothing matches it.
  assert.equal(subjectOf({ kind: 'edit', path: 'a.ts' }, undefined).path, undefined);
  // Glob characters of regular expressions are literal.
  assert.equal(pathMatches('/work/a+b/**', '/work/a+b/c'), true);
  assert.equal(pathMatches('/work/a+b/**', '/work/aab/c'), false);
});

test('deny wins over allow whatever their order; scopes decide where a rule applies', () => {
  const subject = { kind: 'shell' as const, tool: 'shell', command: 'git push origin main' };
  const allow = rule('allow', { commandPrefix: 'git push' });
  const deny = rule('deny', { commandPrefix: 'git' });
  assert.equal(decideByRules([allow, deny], subject, site), deny);
  assert.equal(decideByRules([deny, allow], subject, site), deny);
  assert.equal(decideByRules([allow], subject, site), allow);
  const otherThread = rule('deny', { tool: 'shell' }, { kind: 'thread', threadId: 'thr_b' });
  const otherCwd = rule('deny', { tool: 'shell' }, { kind: 'workspace', cwd: '/elsewhere' });
  const sameCwd = rule('deny', { tool: 'shell' }, { kind: 'workspace', cwd: '/work/app/' });
  assert.equal(decideByRules([allow, otherThread, otherCwd], subject, site), allow);
  assert.equal(decideByRules([allow, sameCwd], subject, site), sameCwd);
  assert.equal(decideByRules([sameCwd], subject, { threadId: 'thr_a' }), undefined);
});

test('the proposed rule: a prefix, a directory glob or the tool, in the workspace (global without a cwd)', () => {
  const workspace = { kind: 'workspace', cwd: '/work/app' };
  assert.deepStrictEqual(proposeRule({ kind: 'shell', tool: 'shell', command: 'git status -s' }, site), { match: { commandPrefix: 'git status' }, scope: workspace });
  assert.deepStrictEqual(proposeRule(subjectOf({ kind: 'edit', tool: 'write_file', path: 'src/a.ts' }, '/work/app'), site), {
    match: { pathGlob: '/work/app/src/**' },
    scope: workspace,
  });
  assert.deepStrictEqual(proposeRule({ kind: 'tool', tool: 'mcp__x__y' }, { threadId: 'thr_a' }), { match: { tool: 'mcp__x__y' }, scope: { kind: 'global' } });
  // A shell approval without its command proposes nothing (it would allow every command).
  assert.equal(proposeRule({ kind: 'shell', tool: 'shell' }, site), undefined);
  // Nor does a subject too long for a rule to carry.
  assert.equal(proposeRule({ kind: 'edit', path: `/${'a/'.repeat(3000)}x` }, site), undefined);
  assert.equal(proposeRule({ kind: 'tool', tool: 'x'.repeat(300) }, site), undefined);
});

test('answers: old ones decide once; the new ones store the rule they name', () => {
  const proposed = { match: { commandPrefix: 'git status' }, scope: { kind: 'workspace' as const, cwd: '/work/app' } };
  assert.deepStrictEqual(settleAnswer({ decision: 'approve' }, proposed, site), { decision: 'approve' });
  assert.deepStrictEqual(settleAnswer({ decision: 'deny' }, proposed, site), { decision: 'deny' });
  assert.deepStrictEqual(settleAnswer({ decision: 'cancel' }, proposed, site), { decision: 'deny' });
  assert.deepStrictEqual(settleAnswer({ decision: 'approveForThread' }, proposed, site), {
    decision: 'approve',
    rule: { effect: 'allow', match: { commandPrefix: 'git status' }, scope: { kind: 'thread', threadId: 'thr_a' } },
  });
  assert.deepStrictEqual(settleAnswer({ decision: 'approveAlways' }, proposed, site), { decision: 'approve', rule: { effect: 'allow', ...proposed } });
  assert.deepStrictEqual(settleAnswer({ decision: 'denyAlways', rule: { match: { pathGlob: '/work/app/x/../y/' }, scope: { kind: 'global' } } }, proposed, site), {
    decision: 'deny',
    rule: { effect: 'deny', match: { pathGlob: '/work/app/y' }, scope: { kind: 'global' } },
  });
  assert.deepStrictEqual(settleAnswer({ decision: 'approveAlways' }, undefined, site), { decision: 'approve' });
  // A client cannot store a rule for another thread through this thread's approval.
  assert.deepStrictEqual(settleAnswer({ decision: 'approveAlways', rule: { match: { tool: 'x' }, scope: { kind: 'thread', threadId: 'thr_b' } } }, proposed, site), { decision: 'approve' });
});
