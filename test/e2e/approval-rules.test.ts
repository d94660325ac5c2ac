import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  ApprovalNotFoundError,
  RuleNotFoundError,
  ThreadNotFoundError,
  type ApprovalRequestParams,
  type ApprovalRequestResult,
  type ThreadlineClient,
} from '@threadline/protocol';
import { textReply, toolCallReply } from '../helpers/fake-openai.js';
import { runTurn, startOpenAIServer } from '../helpers/openai-server.js';
import { newThread, startServer, type TestServer } from '../helpers/server.js';

const APPROVALS = { initialize: { capabilities: { approvals: true } } } as const;

function workspace(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `promise`, or a failure naming `what` after `ms` (a withdrawal that never comes must not hang the run). */
function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer!: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Records every approval/request and answers with `answer` (default: a plain approve). */
function answering(client: ThreadlineClient, answer: (p: ApprovalRequestParams) => ApprovalRequestResult = () => ({ decision: 'approve' })) {
  const asked: ApprovalRequestParams[] = [];
  client.onApprovalRequest((params) => {
    asked.push(params);
    return answer(params);
  });
  return asked;
}

/** Runs a one-tool echo turn; returns its approval.resolved payload and its tool_result's text. */
async function toolTurn(server: TestServer, threadId: string, directive: string) {
  const { turn } = await server.client.request('thread/startTurn', { threadId, prompt: directive });
  await server.events.turnCompleted(turn.id);
  const resolved = await server.events.waitFor({ kind: 'approval.resolved', turnId: turn.id });
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  return { resolved: resolved.payload, result: items.find((i) => i.kind === 'tool_result')!.detail, turnId: turn.id };
}

test('approveAlways stores the proposed rule; after a restart on the same file it still decides, and a compound command is still asked', async (t) => {
  const cwd = workspace(t);
  const first = await startServer(t, APPROVALS);
  const asked = answering(first.client, () => ({ decision: 'approveAlways' }));
  const thread = await newThread(first.client, { cwd });
  const one = await toolTurn(first, thread.id, '!tool shell git status -s');
  assert.equal(asked.length, 1);
  assert.deepStrictEqual(asked[0]!.availableDecisions, ['approve', 'approveForThread', 'approveAlways', 'deny', 'denyAlways', 'cancel']);
  assert.deepStrictEqual(asked[0]!.proposedRule, { match: { commandPrefix: 'git status' }, scope: { kind: 'workspace', cwd } });
  assert.equal(one.resolved.decision, 'approve');
  assert.equal(one.resolved.reason, 'client');
  assert.match(one.resolved.ruleId!, /^rule_/);
  assert.equal(one.result, 'approved');
  const { rules } = await first.client.request('approval/listRules', { threadId: thread.id });
  assert.deepStrictEqual(rules.map((r) => [r.id, r.effect, r.match, r.scope]), [[one.resolved.ruleId, 'allow', { commandPrefix: 'git status' }, { kind: 'workspace', cwd }]]);
  await first.kill();

  const second = await startServer(t, { ...APPROVALS, dbPath: first.dbPath });
  const askedAgain = answering(second.client, () => ({ decision: 'deny' }));
  const other = await newThread(second.client, { cwd });
  const ruled = await toolTurn(second, other.id, '!tool shell git   status --porcelain');
  assert.deepStrictEqual(ruled.resolved, { approvalId: ruled.resolved.approvalId, decision: 'approve', reason: 'rule', ruleId: one.resolved.ruleId });
  assert.equal(ruled.result, 'approved');
  assert.equal(askedAgain.length, 0);
  // The same words followed by a second command do not match: the client is asked (and denies).
  const compound = await toolTurn(second, other.id, '!tool shell git status; rm -rf /');
  assert.deepStrictEqual([compound.resolved.decision, compound.resolved.reason, askedAgain.length], ['deny', 'client', 1]);
  // Another workspace is not covered.
  const elsewhere = await newThread(second.client, { cwd: workspace(t) });
  assert.equal((await toolTurn(second, elsewhere.id, '!tool shell git status')).resolved.reason, 'client');
});

test('deny wins over allow, whatever autoApprove says', async (t) => {
  const cwd = workspace(t);
  const first = await startServer(t, APPROVALS);
  const rules: ApprovalRequestResult[] = [
    { decision: 'denyAlways', rule: { match: { commandPrefix: 'git push' }, scope: { kind: 'workspace', cwd } } },
    { decision: 'approveAlways', rule: { match: { tool: 'shell' }, scope: { kind: 'global' } } },
  ];
  answering(first.client, () => rules.shift()!);
  const thread = await newThread(first.client, { cwd });
  await toolTurn(first, thread.id, '!tool shell git push --force');
  await toolTurn(first, thread.id, '!tool shell ls');
  // The allow-every-shell rule came later: the deny still wins.
  assert.deepStrictEqual((await toolTurn(first, thread.id, '!tool shell git push')).resolved.decision, 'deny');
  await first.kill();

  // No client answers approvals here: autoApprove would decide, but rules come first.
  const second = await startServer(t, { dbPath: first.dbPath });
  const trusting = await newThread(second.client, { cwd, autoApprove: true });
  const pushed = await toolTurn(second, trusting.id, '!tool shell git push origin main');
  assert.deepStrictEqual([pushed.resolved.decision, pushed.resolved.reason, pushed.result], ['deny', 'rule', 'denied']);
  const cautious = await newThread(second.client, { cwd, autoApprove: false });
  const listed = await toolTurn(second, cautious.id, '!tool shell ls -la');
  assert.deepStrictEqual([listed.resolved.decision, listed.resolved.reason], ['approve', 'rule']);
  // Without a matching rule autoApprove keeps its meaning.
  assert.deepStrictEqual((await toolTurn(second, cautious.id, '!tool edit notes.md')).resolved.reason, 'auto_approve');
});

test('approveForThread is a thread rule with events; revoking it makes the next request ask again', async (t) => {
  const server = await startServer(t, APPROVALS);
  const answers: ApprovalRequestResult['decision'][] = ['approveForThread', 'approve'];
  const asked = answering(server.client, () => ({ decision: answers.shift()! }));
  const thread = await newThread(server.client, { cwd: workspace(t) });
  const first = await toolTurn(server, thread.id, '!tool shell npm test');
  const added = await server.events.waitFor({ kind: 'approval.ruleAdded', threadId: thread.id });
  assert.deepStrictEqual([added.payload.rule.id, added.payload.rule.scope, added.payload.rule.match], [first.resolved.ruleId, { kind: 'thread', threadId: thread.id }, { commandPrefix: 'npm test' }]);
  assert.equal((await toolTurn(server, thread.id, '!tool shell npm test -- --watch')).resolved.reason, 'rule');
  // Another thread is not covered by this thread's rule.
  const other = await newThread(server.client);
  assert.equal((await toolTurn(server, other.id, '!tool shell npm test')).resolved.reason, 'client');
  assert.equal(asked.length, 2);

  const { rule } = await server.client.request('approval/revokeRule', { ruleId: first.resolved.ruleId! });
  assert.equal(rule.id, first.resolved.ruleId);
  const revoked = await server.events.waitFor({ kind: 'approval.ruleRevoked', threadId: thread.id });
  assert.deepStrictEqual(revoked.payload.rule, added.payload.rule);
  assert.deepStrictEqual((await server.client.request('approval/listRules', { threadId: thread.id })).rules, []);
  const again = await toolTurn(server, thread.id, '!tool shell npm test');
  assert.deepStrictEqual([again.resolved.reason, asked.length], ['client', 3]);

  await assert.rejects(server.client.request('approval/revokeRule', { ruleId: rule.id }), (err) => err instanceof RuleNotFoundError && err.code === -32005 && err.data.ruleId === rule.id);
  await assert.rejects(server.client.request('approval/revokeRule', { ruleId: 'rule_nope' }), (err) => err instanceof RuleNotFoundError && err.data.ruleId === 'rule_nope');
  await assert.rejects(server.client.request('approval/listRules', { threadId: 'thr_nope' }), (err) => err instanceof ThreadNotFoundError);
});

test('a new rule decides the pending approvals it matches, in other threads too, and their requests are withdrawn', async (t) => {
  const cwd = workspace(t);
  const server = await startServer(t, APPROVALS);
  const pending = new Map<string, { params: ApprovalRequestParams; answer: (a: ApprovalRequestResult) => void; cancelled: Promise<void> }>();
  let both!: () => void;
  const bothAsked = new Promise<void>((resolve) => (both = resolve));
  server.client.onApprovalRequest((params, token) => new Promise<ApprovalRequestResult>((answer) => {
    const cancelled = new Promise<void>((resolve) => token.onCancellationRequested(() => resolve()));
    pending.set(params.threadId, { params, answer, cancelled });
    if (pending.size === 2) both();
  }));
  const a = await newThread(server.client, { cwd });
  const b = await newThread(server.client, { cwd });
  const turnA = (await server.client.request('thread/startTurn', { threadId: a.id, prompt: '!tool shell make build' })).turn;
  const turnB = (await server.client.request('thread/startTurn', { threadId: b.id, prompt: '!tool shell make build -j4' })).turn;
  await within(bothAsked, 'both threads asked');
  pending.get(a.id)!.answer({ decision: 'approveAlways' });
  await within(pending.get(b.id)!.cancelled, "B's approval/request withdrawn"); // the rule answered it
  await server.events.turnCompleted(turnA.id);
  await server.events.turnCompleted(turnB.id);
  const resolvedA = (await server.events.waitFor({ kind: 'approval.resolved', turnId: turnA.id })).payload;
  const resolvedB = (await server.events.waitFor({ kind: 'approval.resolved', turnId: turnB.id })).payload;
  assert.deepStrictEqual([resolvedA.reason, resolvedB.reason, resolvedB.decision], ['client', 'rule', 'approve']);
  assert.equal(resolvedB.ruleId, resolvedA.ruleId);
  assert.equal(server.events.of(b.id).filter((e) => e.kind === 'approval.resolved').length, 1);
  const { items } = await server.client.request('turn/get', { turnId: turnB.id });
  assert.equal(items.find((i) => i.kind === 'tool_result')!.detail, 'approved');
});

test('approval/respond answers a pending approval by id; an unknown or decided one is -32006', async (t) => {
  const server = await startServer(t, APPROVALS);
  let cancelled!: () => void;
  const wasCancelled = new Promise<void>((resolve) => (cancelled = resolve));
  server.client.onApprovalRequest((_params, token) => new Promise(() => token.onCancellationRequested(() => cancelled())));
  const cwd = workspace(t);
  const thread = await newThread(server.client, { cwd });
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: '!tool shell cargo build' });
  const requested = await server.events.waitFor({ kind: 'approval.requested', turnId: turn.id });
  const { approvalId } = requested.payload;
  const answered = await server.client.request('approval/respond', { approvalId, decision: 'denyAlways' });
  assert.equal(answered.decision, 'deny');
  assert.match(answered.ruleId!, /^rule_/);
  await within(wasCancelled, 'approval/request withdrawn');
  await server.events.turnCompleted(turn.id);
  const resolved = await server.events.waitFor({ kind: 'approval.resolved', turnId: turn.id });
  assert.deepStrictEqual(resolved.payload, { approvalId, decision: 'deny', reason: 'client', ruleId: answered.ruleId });
  // Stale: decided already. Unknown: never asked.
  for (const id of [approvalId, 'appr_nope']) {
    await assert.rejects(server.client.request('approval/respond', { approvalId: id, decision: 'approve' }), (err) => err instanceof ApprovalNotFoundError && err.code === -32006 && err.data.approvalId === id);
  }
  // The same rule answered again is not stored twice.
  const next = (await server.client.request('thread/startTurn', { threadId: thread.id, prompt: '!tool shell cargo test' })).turn;
  const nextId = (await server.events.waitFor({ kind: 'approval.requested', turnId: next.id })).payload.approvalId;
  const again = await server.client.request('approval/respond', { approvalId: nextId, decision: 'denyAlways', rule: { match: { commandPrefix: 'cargo  build' }, scope: { kind: 'workspace', cwd: `${cwd}/` } } });
  assert.deepStrictEqual(again, { decision: 'deny', ruleId: answered.ruleId });
  assert.equal((await server.client.request('approval/listRules', {})).rules.length, 1);
  await server.events.turnCompleted(next.id);
  // A malformed rule in params is refused before anything is looked at.
  await assert.rejects(
    server.client.request('approval/respond', { approvalId, decision: 'approveAlways', rule: { match: { tool: 'a', commandPrefix: 'b' }, scope: { kind: 'global' } } }),
    (err: { code?: number }) => err.code === -32602,
  );
});

test('an answer that does not parse is a deny and stores nothing', async (t) => {
  const server = await startServer(t, APPROVALS);
  answering(server.client, () => ({ decision: 'approveAlways', rule: { match: { pathGlob: 'relative/**' }, scope: { kind: 'global' } } }));
  const thread = await newThread(server.client, { cwd: workspace(t) });
  const turn = await toolTurn(server, thread.id, '!tool edit src/a.ts');
  assert.deepStrictEqual([turn.resolved.decision, turn.resolved.ruleId], ['deny', undefined]);
  assert.deepStrictEqual((await server.client.request('approval/listRules', {})).rules, []);
});

test('openai host: approveForThread on a write_file allows later writes in that directory (not ..), and nothing else', async (t) => {
  const cwd = workspace(t);
  const { fake, server } = await startOpenAIServer(t, [], APPROVALS);
  const asked = answering(server.client, (p) => ({ decision: p.kind === 'edit' ? 'approveForThread' : 'deny' }));
  fake.respond(
    toolCallReply([{ id: 'w1', name: 'write_file', args: { path: 'out/a.txt', content: 'a' } }]),
    toolCallReply([{ id: 'w2', name: 'write_file', args: { path: 'out/sub/b.txt', content: 'b' } }]),
    toolCallReply([{ id: 'w3', name: 'write_file', args: { path: 'out/../escaped.txt', content: 'c' } }]),
    toolCallReply([{ id: 's1', name: 'shell', args: { command: 'touch out/pwned' } }]),
    textReply('done'),
  );
  const thread = await newThread(server.client, { cwd });
  const { turn, items } = await runTurn(server, thread.id, 'write files');
  assert.equal(turn.status, 'completed');
  assert.deepStrictEqual(asked.map((a) => [a.kind, a.proposedRule?.match]), [
    ['edit', { pathGlob: `${cwd}/out/**` }],
    ['edit', { pathGlob: cwd + '/**' }],
    ['shell', { commandPrefix: 'touch' }],
  ]);
  assert.equal(readFileSync(join(cwd, 'out', 'sub', 'b.txt'), 'utf8'), 'b');
  assert.equal(existsSync(join(cwd, 'out', 'pwned')), false);
  const reasons = server.events.of(thread.id).filter((e) => e.kind === 'approval.resolved').map((e) => (e.kind === 'approval.resolved' ? e.payload.reason : ''));
  assert.deepStrictEqual(reasons, ['client', 'rule', 'client', 'client']);
  assert.deepStrictEqual(items.filter((i) => i.kind === 'tool_result').map((i) => i.status), ['completed', 'completed', 'completed', 'failed']);
});
