import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ApprovalRequestParams, ApprovalRequestResult, ThreadlineClient } from '@threadline/protocol';
import { newThread, startServer, type TestServer } from '../helpers/server.js';

// An engine whose every turn is one approved tool call: the prompt is the JSON of the fields its
// `approval.request` adds to `itemKey, kind, summary, detail` (`kind` too may be given). It
// reports the decision as the tool's result, then ends the turn.
const ENGINE = String.raw`
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const waiting = new Map();
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  if (m.type === 'load') return send({ type: 'ready' });
  if (m.type === 'approval.decision') return waiting.get(m.requestId)?.(m.decision);
  if (m.type !== 'turn.start') return;
  const { turnId } = m;
  const fields = JSON.parse(m.input.prompt);
  send({ type: 'item.started', turnId, key: 'call', kind: 'tool_call', text: 'the call' });
  waiting.set(turnId, (decision) => {
    send({ type: 'item.completed', turnId, key: 'call' });
    send({ type: 'item.started', turnId, key: 'result', kind: 'tool_result', text: decision });
    send({ type: 'item.completed', turnId, key: 'result' });
    send({ type: 'turn.end', turnId });
  });
  send({ type: 'approval.request', turnId, requestId: turnId, itemKey: 'call', kind: 'shell', summary: 'run it', detail: 'the call', ...fields });
});
`;

const APPROVALS = { initialize: { capabilities: { approvals: true } } } as const;

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-exec-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function startEngine(t: TestContext, dbPath?: string): Promise<TestServer> {
  const script = join(tempDir(t), 'engine.cjs');
  writeFileSync(script, ENGINE);
  return startServer(t, { ...APPROVALS, ...(dbPath ? { dbPath } : {}), args: ['--host', 'exec', '--host-option', `command="${process.execPath}" "${script}"`] });
}

/** Records every approval/request and answers it with `answer`. */
function answering(client: ThreadlineClient, answer: (p: ApprovalRequestParams) => ApprovalRequestResult) {
  const asked: ApprovalRequestParams[] = [];
  client.onApprovalRequest((params) => {
    asked.push(params);
    return answer(params);
  });
  return asked;
}

/** One engine turn asking approval with `fields`: its end, its tool result and how the approval was resolved. */
async function approvalTurn(server: TestServer, threadId: string, fields: Record<string, unknown>) {
  const { turn: started } = await server.client.request('thread/startTurn', { threadId, prompt: JSON.stringify(fields) });
  const { turn } = await server.client.request('turn/wait', { turnId: started.id, timeoutMs: 15_000 });
  const { items } = await server.client.request('turn/get', { turnId: started.id });
  const resolved = server.events.of(threadId).find((e) => e.kind === 'approval.resolved' && e.turnId === started.id);
  return { turn, result: items.find((i) => i.kind === 'tool_result')?.detail, resolved: resolved?.payload as { decision: string; reason: string; ruleId?: string } | undefined };
}

test('exec: an engine approval with a command gets a proposed rule; approveAlways stores it and the next matching request is approved by it, even after a restart', async (t) => {
  const cwd = tempDir(t);
  const server = await startEngine(t);
  const asked = answering(server.client, () => ({ decision: 'approveAlways' }));
  const thread = await newThread(server.client, { cwd });
  const first = await approvalTurn(server, thread.id, { tool: 'shell', command: 'git status -s' });
  assert.deepStrictEqual([first.turn.status, first.result], ['completed', 'approve']);
  assert.equal(asked.length, 1);
  assert.deepStrictEqual(asked[0]!.proposedRule, { match: { commandPrefix: 'git status' }, scope: { kind: 'workspace', cwd } });
  assert.deepStrictEqual(asked[0]!.availableDecisions, ['approve', 'approveForThread', 'approveAlways', 'deny', 'denyAlways', 'cancel']);
  assert.match(first.resolved!.ruleId!, /^rule_/);
  const { rules } = await server.client.request('approval/listRules', { threadId: thread.id });
  assert.deepStrictEqual(rules.map((r) => [r.id, r.effect, r.match, r.scope]), [[first.resolved!.ruleId, 'allow', { commandPrefix: 'git status' }, { kind: 'workspace', cwd }]]);

  // The engine's next matching request: decided by the rule, the client never asked.
  const second = await approvalTurn(server, thread.id, { command: 'git status --porcelain' });
  assert.deepStrictEqual([second.turn.status, second.result, second.resolved], ['completed', 'approve', { ...second.resolved, decision: 'approve', reason: 'rule', ruleId: first.resolved!.ruleId }]);
  assert.equal(asked.length, 1);
  // A command the rule does not match is still asked.
  const other = await approvalTurn(server, thread.id, { command: 'git push' });
  assert.deepStrictEqual([other.resolved!.reason, asked.length], ['client', 2]);

  // The rule is in the database: a fresh server (and a fresh engine) on the same file uses it.
  await server.kill();
  const again = await startEngine(t, server.dbPath);
  const askedAgain = answering(again.client, () => ({ decision: 'deny' }));
  const ruled = await approvalTurn(again, (await newThread(again.client, { cwd })).id, { command: 'git status' });
  assert.deepStrictEqual([ruled.result, ruled.resolved!.reason, askedAgain.length], ['approve', 'rule', 0]);
});

test('exec: an engine approval with a path or a tool name gets the matching proposed rule', async (t) => {
  const cwd = tempDir(t);
  const server = await startEngine(t);
  const asked = answering(server.client, () => ({ decision: 'deny' }));
  const thread = await newThread(server.client, { cwd });
  const edit = await approvalTurn(server, thread.id, { kind: 'edit', tool: 'write_file', path: 'src/a.ts' });
  const tool = await approvalTurn(server, thread.id, { kind: 'tool', tool: 'mcp__github__create_issue' });
  assert.deepStrictEqual([edit.result, tool.result], ['deny', 'deny']);
  assert.deepStrictEqual(asked.map((a) => a.proposedRule), [
    { match: { pathGlob: `${cwd}/src/**` }, scope: { kind: 'workspace', cwd } },
    { match: { tool: 'mcp__github__create_issue' }, scope: { kind: 'workspace', cwd } },
  ]);
});

test('exec: an approval.request with a structured field that is not a string fails the turn naming the field; the next turn runs', async (t) => {
  const server = await startEngine(t);
  const asked = answering(server.client, () => ({ decision: 'approve' }));
  const thread = await newThread(server.client);
  for (const [field, value, shown] of [['command', 42, '42'], ['path', ['a', 'b'], '["a","b"]'], ['tool', null, 'null']] as const) {
    const bad = await approvalTurn(server, thread.id, { [field]: value });
    assert.deepStrictEqual([bad.turn.status, bad.turn.error], [
      'failed',
      `exec host: the turn's event stream failed: the engine wrote an approval.request whose "${field}" is not a string: ${shown}`,
    ]);
  }
  assert.equal(asked.length, 0, 'a malformed request never reaches the client');
  const good = await approvalTurn(server, thread.id, { command: 'ls' });
  assert.deepStrictEqual([good.turn.status, good.result, asked.length], ['completed', 'approve', 1]);
});
