import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { startAcp } from '../helpers/acp-client.js';

// Issue 15: ACP's allow_always / reject_always store Threadline approval rules for the session's
// workspace (its cwd): later matching tool calls in any session of that cwd are decided without asking.

type Agent = Awaited<ReturnType<typeof startAcp>>;

async function newSession(agent: Agent, cwd: string): Promise<string> {
  return (await agent.conn.agent.request(acp.methods.agent.session.new, { cwd, mcpServers: [] })).sessionId;
}

/** Prompts `text` and returns the text of the turn's last tool_call_update ("approved" / "denied"). */
async function toolResult(agent: Agent, sessionId: string, text: string): Promise<string> {
  const before = agent.updatesOf(sessionId).length;
  await agent.conn.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text }] });
  const done = agent.updatesOf(sessionId).slice(before).filter((u) => u.sessionUpdate === 'tool_call_update').at(-1);
  assert.ok(done && done.sessionUpdate === 'tool_call_update' && done.content?.[0]?.type === 'content');
  const content = done.content[0].content;
  return content.type === 'text' ? content.text : '';
}

test('allow_always and reject_always become workspace rules: the next matching call in the same cwd is not asked', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'threadline-acp-rules-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const agent = await startAcp(t);
  const choices = ['allow_always', 'reject_always'];
  agent.answerPermission = async () => ({ outcome: { outcome: 'selected', optionId: choices.shift() ?? 'allow_once' } });
  const first = await newSession(agent, cwd);
  assert.equal(await toolResult(agent, first, '!tool shell git status'), 'approved');
  assert.deepEqual(agent.permissions[0]!.options.map((o) => [o.kind, o.name]), [
    ['allow_once', 'Allow'],
    ['allow_always', 'Always allow `git status` commands in this workspace'],
    ['reject_once', 'Reject'],
    ['reject_always', 'Always reject `git status` commands in this workspace'],
  ]);
  assert.equal(await toolResult(agent, first, '!tool shell git push origin'), 'denied');
  assert.equal(agent.permissions.length, 2);

  // Another session of the same workspace: both rules decide without asking.
  const second = await newSession(agent, cwd);
  assert.equal(await toolResult(agent, second, '!tool shell git status --short'), 'approved');
  assert.equal(await toolResult(agent, second, '!tool shell git push --force'), 'denied');
  assert.equal(agent.permissions.length, 2);
  // Something no rule matches is asked (allow_once: no rule).
  assert.equal(await toolResult(agent, second, '!tool shell ls'), 'approved');
  assert.equal(agent.permissions.length, 3);
  assert.equal(await toolResult(agent, second, '!tool shell ls'), 'approved');
  assert.equal(agent.permissions.length, 4);
});
