import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ApprovalRequestParams } from '@threadline/protocol';
import { textReply, toolCallReply } from '../helpers/fake-openai.js';
import { runTurn, startOpenAIServer } from '../helpers/openai-server.js';
import { newThread } from '../helpers/server.js';

function workspace(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-cwd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.txt'), 'alpha\n');
  return dir;
}

test('openai: a tool call whose arguments arrive split across chunks runs read_file and list_dir without approval, and the answer goes back to the model', async (t) => {
  const cwd = workspace(t);
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(
    toolCallReply([
      { id: 'call_1', name: 'read_file', args: { path: 'src/a.txt' } },
      { id: 'call_2', name: 'list_dir', args: { path: '.' } },
    ]),
    textReply('The file says alpha.'),
  );
  const thread = await newThread(server.client, { cwd });
  const { turn, items } = await runTurn(server, thread.id, 'what is in a.txt?');
  assert.equal(turn.status, 'completed');
  assert.deepStrictEqual(items.map((i) => [i.kind, i.status, i.detail]), [
    ['user_message', 'completed', 'what is in a.txt?'],
    ['tool_call', 'completed', 'read_file src/a.txt'],
    ['tool_result', 'completed', 'alpha\n'],
    ['tool_call', 'completed', 'list_dir .'],
    ['tool_result', 'completed', 'src/'],
    ['agent_message', 'completed', 'The file says alpha.'],
  ]);
  assert.equal(server.events.of(thread.id).filter((e) => e.kind === 'approval.requested').length, 0);
  const first = fake.requests[0]!.body;
  assert.deepStrictEqual((first.tools as { function: { name: string } }[]).map((tool) => tool.function.name), ['read_file', 'list_dir', 'write_file', 'shell']);
  assert.deepStrictEqual(fake.requests[1]!.body.messages, [
    { role: 'user', content: 'what is in a.txt?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"src/a.txt"}' } },
        { id: 'call_2', type: 'function', function: { name: 'list_dir', arguments: '{"path":"."}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'alpha\n' },
    { role: 'tool', tool_call_id: 'call_2', content: 'src/' },
  ]);
});

test('openai: write_file asks approval of kind edit and writes when approved; shell asks kind shell and does not run when denied', async (t) => {
  const cwd = workspace(t);
  const { fake, server } = await startOpenAIServer(t, [], { initialize: { capabilities: { approvals: true } } });
  const asked: ApprovalRequestParams[] = [];
  server.client.onApprovalRequest((params) => {
    asked.push(params);
    return { decision: params.kind === 'edit' ? 'approve' : 'deny' };
  });
  fake.respond(
    toolCallReply([{ id: 'w1', name: 'write_file', args: { path: 'out/b.txt', content: 'beta' } }]),
    toolCallReply([{ id: 's1', name: 'shell', args: { command: 'touch pwned' } }]),
    textReply('done'),
  );
  const thread = await newThread(server.client, { cwd });
  const { turn, items } = await runTurn(server, thread.id, 'write b and touch pwned');
  assert.equal(turn.status, 'completed');
  assert.deepStrictEqual(asked.map((a) => [a.kind, a.summary, a.detail]), [
    ['edit', 'write_file out/b.txt (4 bytes)', 'write out/b.txt (4 bytes):\nbeta'],
    ['shell', 'shell touch pwned', 'touch pwned'],
  ]);
  assert.equal(readFileSync(join(cwd, 'out', 'b.txt'), 'utf8'), 'beta');
  assert.equal(existsSync(join(cwd, 'pwned')), false, 'a denied shell command never runs');
  assert.deepStrictEqual(items.filter((i) => i.kind === 'tool_result').map((i) => [i.status, i.detail]), [
    ['completed', 'wrote 4 bytes to out/b.txt'],
    ['failed', 'error: the user denied this tool call'],
  ]);
  assert.deepStrictEqual(fake.requests[2]!.body.messages.at(-1), { role: 'tool', tool_call_id: 's1', content: 'error: the user denied this tool call' });
});

test('openai: an approved shell command runs in cwd with its exit code; output over the cap is cut and marked truncated', async (t) => {
  const cwd = workspace(t);
  const { fake, server } = await startOpenAIServer(t, ['--host-option', 'maxOutputBytes=100']);
  fake.respond(
    toolCallReply([{ id: 's1', name: 'shell', args: { command: 'cat src/a.txt; exit 3' } }]),
    toolCallReply([{ id: 's2', name: 'shell', args: { command: 'yes | head -c 5000' } }]),
    textReply('ok'),
  );
  const thread = await newThread(server.client, { cwd, autoApprove: true });
  const { items } = await runTurn(server, thread.id, 'run things');
  const results = items.filter((i) => i.kind === 'tool_result');
  assert.deepStrictEqual([results[0]!.status, results[0]!.detail], ['failed', 'alpha\n\n[exit code 3]']);
  assert.match(results[1]!.detail!, /^(y\n){50}\n\[output truncated at 100 bytes\]\n\[exit code 0\]$/);
});

test('openai: a path outside cwd is refused as a tool error the model sees, and nothing is read or written', async (t) => {
  const cwd = workspace(t);
  const outside = mkdtempSync(join(tmpdir(), 'threadline-outside-'));
  t.after(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(
    toolCallReply([
      { id: 'r1', name: 'read_file', args: { path: join(outside, 'secret.txt') } },
      { id: 'r2', name: 'read_file', args: { path: '../../../../../../etc/passwd' } },
      { id: 'w1', name: 'write_file', args: { path: join(outside, 'evil.txt'), content: 'x' } },
    ]),
    textReply('I cannot.'),
  );
  const thread = await newThread(server.client, { cwd, autoApprove: true });
  const { turn, items } = await runTurn(server, thread.id, 'read secrets');
  assert.equal(turn.status, 'completed');
  const results = items.filter((i) => i.kind === 'tool_result');
  assert.equal(results.length, 3);
  for (const r of results) {
    assert.equal(r.status, 'failed');
    assert.match(r.detail!, /^error: path .* is outside the working directory; refused$/);
  }
  assert.equal(existsSync(join(outside, 'evil.txt')), false);
  assert.ok(fake.requests[1]!.body.messages.filter((m) => m.role === 'tool').every((m) => /outside the working directory/.test(m.content!)));
});

test('openai: a model that keeps calling tools is stopped at --max-tool-rounds and the turn fails saying so', async (t) => {
  const cwd = workspace(t);
  const { fake, server } = await startOpenAIServer(t, ['--max-tool-rounds', '2']);
  for (let i = 0; i < 3; i++) fake.respond(toolCallReply([{ id: `c${i}`, name: 'list_dir', args: { path: '.' } }]));
  const thread = await newThread(server.client, { cwd });
  const { turn, items } = await runTurn(server, thread.id, 'loop forever');
  assert.deepStrictEqual([turn.status, turn.error], ['failed', 'the model was still calling tools after 2 tool rounds (--max-tool-rounds)']);
  assert.equal(fake.requests.length, 3);
  assert.equal(items.filter((i) => i.kind === 'tool_result').length, 2);
});

test('openai: after a restart the conversation rebuilt from persisted items, tool calls and results included, is exactly what the model saw before', async (t) => {
  const cwd = workspace(t);
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(toolCallReply([{ id: 'call_1', name: 'read_file', args: { path: 'src/a.txt' } }]), textReply('It says alpha.'), textReply('Yes.'));
  const thread = await newThread(server.client, { cwd, systemPrompt: 'sys' });
  await runTurn(server, thread.id, 'read a');
  await runTurn(server, thread.id, 'sure?');
  const before = fake.requests[2]!.body.messages;
  await server.kill();
  const restarted = await startOpenAIServer(t, [], { dbPath: server.dbPath });
  restarted.fake.respond(textReply('Still yes.'));
  await runTurn(restarted.server, thread.id, 'really?');
  assert.deepStrictEqual(restarted.fake.requests[0]!.body.messages, [...before, { role: 'assistant', content: 'Yes.' }, { role: 'user', content: 'really?' }]);
  assert.equal(before.filter((m) => m.role === 'tool').length, 1);
});
