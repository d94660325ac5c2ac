import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { FakeOpenAI, textReply, toolCallReply, within } from '../helpers/fake-openai.js';
import { startAcp, type AcpTestAgent } from '../helpers/acp-client.js';
import { EVERYTHING } from '../fixtures/mcp/harness.js';

// Issue 15 over ACP: session/new { mcpServers } is passed through to the thread.

const SECRET = 'acp-sekrit-99';

/** Resolves once the agent logged a line matching `pattern` (lines already logged count). */
function logged(agent: AcpTestAgent, pattern: RegExp): Promise<string> {
  return within(
    new Promise<string>((resolve) => {
      const check = () => {
        const line = agent.stderr.find((l) => pattern.test(l));
        if (line === undefined) return false;
        agent.child.stderr!.off('data', check);
        resolve(line);
        return true;
      };
      if (!check()) agent.child.stderr!.on('data', () => setImmediate(check));
    }),
    `a log line matching ${pattern}`,
    20_000,
  );
}

test('acp: session/new { mcpServers } starts the stdio server for that session; its tools reach the model; its env value is logged nowhere', async (t) => {
  const fake = await FakeOpenAI.start(t);
  const agent = await startAcp(t, { initialize: false, args: ['--host', 'openai', '--openai-base-url', fake.url, '--model', 'gpt-4o'] });
  const init = await agent.conn.agent.request(acp.methods.agent.initialize, { protocolVersion: 1, clientCapabilities: {} });
  assert.equal(init.agentCapabilities?.mcpCapabilities?.http, true, 'streamable HTTP servers are advertised');
  const mcpServers: acp.McpServer[] = [{ name: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'], env: [{ name: 'ACP_TOKEN', value: SECRET }] }];
  const { sessionId } = await agent.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers });
  const prompt = (text: string) => agent.conn.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text }] });

  fake.respond(textReply('hello'));
  const ready = logged(agent, /mcp server ready.*everything/);
  assert.equal((await prompt('hi')).stopReason, 'end_turn');
  await ready;
  fake.respond(toolCallReply([{ id: 'e1', name: 'mcp__everything__echo', args: { message: 'from acp' } }]), textReply('done'));
  assert.equal((await prompt('echo')).stopReason, 'end_turn');
  const tools = ((fake.requests[1]!.body.tools as { function: { name: string } }[] | undefined) ?? []).map((x) => x.function.name);
  assert.ok(tools.includes('mcp__everything__echo'), tools.join(', '));
  const update = agent.updatesOf(sessionId).find((u) => u.sessionUpdate === 'tool_call_update');
  assert.ok(update && update.sessionUpdate === 'tool_call_update');
  assert.deepStrictEqual(update.content, [{ type: 'content', content: { type: 'text', text: 'Echo: from acp' } }]);
  assert.doesNotMatch(agent.stderr.join('\n'), new RegExp(SECRET));
});

test('acp: session/new with an SSE server is -32602 naming it, and creates no session', async (t) => {
  const agent = await startAcp(t);
  await assert.rejects(
    agent.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [{ type: 'sse', name: 'old', url: 'http://127.0.0.1:1/sse', headers: [] }] }),
    (error: { code: number; message: string }) => {
      assert.equal(error.code, -32602);
      assert.match(JSON.stringify(error), /\\"old\\" uses the SSE transport/);
      return true;
    },
  );
  const { sessions } = await agent.conn.agent.request(acp.methods.agent.session.list, {});
  assert.deepStrictEqual(sessions, []);
});
