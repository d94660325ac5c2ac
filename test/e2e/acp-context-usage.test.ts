import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { FakeOpenAI, textReply } from '../helpers/fake-openai.js';
import { startAcp } from '../helpers/acp-client.js';

// Issue 15 over ACP: the context window as `usage_update`, only where its size is known.

async function promptOnce(t: import('node:test').TestContext, model: string, extra: string[] = []) {
  const fake = await FakeOpenAI.start(t);
  fake.respond(textReply('hi there', { prompt_tokens: 3000, completion_tokens: 45 }));
  const agent = await startAcp(t, { args: ['--host', 'openai', '--openai-base-url', fake.url, '--model', model, ...extra] });
  const { sessionId } = await agent.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [] });
  const { stopReason } = await agent.conn.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: 'hello' }] });
  assert.equal(stopReason, 'end_turn');
  return agent.updatesOf(sessionId).filter((u) => u.sessionUpdate === 'usage_update');
}

test('acp: a model whose window is known streams usage_update { used, size } before the prompt answers (the SDK accepts it)', async (t) => {
  assert.deepStrictEqual(await promptOnce(t, 'gpt-4o'), [{ sessionUpdate: 'usage_update', used: 3045, size: 128_000 }]);
});

test('acp: --context-window gives an unknown model its size; without it no usage_update is sent (never a made-up size)', async (t) => {
  assert.deepStrictEqual(await promptOnce(t, 'local-llama', ['--context-window', '8192']), [{ sessionUpdate: 'usage_update', used: 3045, size: 8192 }]);
  assert.deepStrictEqual(await promptOnce(t, 'local-llama'), []);
});
