import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { textReply, toolCallReply } from '../helpers/fake-openai.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { eventually, isAlive } from '../helpers/processes.js';
import { newThread } from '../helpers/server.js';

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('openai tools: an approved env command does not see OPENAI_API_KEY or other server variables, only the minimal environment and shellEnv', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const { fake, server } = await startOpenAIServer(t, ['--host-option', 'shellEnv=THREADLINE_PASSED'], {
    env: { THREADLINE_PASSED: 'passed', THREADLINE_PRIVATE: 'private', LC_ALL: 'C', PATH: process.env.PATH },
  });
  fake.respond(toolCallReply([{ id: 's1', name: 'shell', args: { command: 'env' } }]), textReply('ok'));
  const thread = await newThread(server.client, { cwd, autoApprove: true });
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'env' });
  await server.events.turnCompleted(turn.id);
  const output = fake.requests[1]!.body.messages.at(-1)!.content!;
  assert.doesNotMatch(output, /sk-test|OPENAI_API_KEY|THREADLINE_PRIVATE/);
  const names = output.split('\n').flatMap((line) => (/^[A-Za-z_][A-Za-z0-9_]*=/.test(line) ? [line.slice(0, line.indexOf('='))] : []));
  for (const name of names) assert.match(name, /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|TERM|TMPDIR|TZ|LC_[A-Z_]+|THREADLINE_PASSED|PWD|SHLVL|_)$/, `${name} is not in the minimal environment`);
  assert.ok(names.includes('THREADLINE_PASSED') && names.includes('PATH') && names.includes('LC_ALL'));
});

test('openai tools: a background child of a shell call is killed when the call returns, also one still holding the output pipe', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(
    toolCallReply([
      { id: 's1', name: 'shell', args: { command: 'sleep 999 > /dev/null 2>&1 & echo $!' } },
      { id: 's2', name: 'shell', args: { command: 'sleep 998 & echo $!' } },
    ]),
    textReply('ok'),
  );
  const thread = await newThread(server.client, { cwd, autoApprove: true });
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'background' });
  // The shell timeout is 60 s: the turn ends long before it, so no call waited for its background child.
  await server.events.turnCompleted(turn.id, 15_000);
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  const pids = items.filter((i) => i.kind === 'tool_result').map((i) => Number(/^(\d+)\n/.exec(i.detail!)?.[1]));
  assert.equal(pids.length, 2);
  for (const pid of pids) {
    assert.ok(pid > 0);
    await eventually(() => !isAlive(pid), `background child ${pid} is gone`, 3000);
  }
});

test('openai tools: a shell call still running when the server shuts down is killed with its whole process group', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(toolCallReply([{ id: 's1', name: 'shell', args: { command: 'sleep 997 & echo $! > bg.pid; wait' } }]));
  const thread = await newThread(server.client, { cwd, autoApprove: true });
  await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'long' });
  await eventually(() => existsSync(join(cwd, 'bg.pid')) && readFileSync(join(cwd, 'bg.pid'), 'utf8').endsWith('\n'), 'the shell wrote its pid');
  const pid = Number(readFileSync(join(cwd, 'bg.pid'), 'utf8'));
  assert.ok(isAlive(pid));
  await server.client.request('shutdown', undefined);
  await eventually(() => !isAlive(pid), `background child ${pid} is gone after shutdown`, 5000);
});
