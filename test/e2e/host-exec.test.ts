import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HostError } from '@threadline/protocol';
import { childrenOf, eventually, isAlive } from '../helpers/processes.js';
import { runTurn } from '../helpers/openai-server.js';
import { newThread, startServer, type StartOptions } from '../helpers/server.js';

const ENGINE = fileURLToPath(new URL('../../examples/engines/echo_engine.py', import.meta.url));
const PYTHON_ENGINE = ['--host', 'exec', '--host-option', `command=python3 "${ENGINE}"`];

function startExec(t: Parameters<typeof startServer>[0], args: string[] = [], options: StartOptions = {}) {
  return startServer(t, { ...options, args: [...PYTHON_ENGINE, ...args] });
}

test('exec: the Python example engine streams echo[N] replies, keeps its history, truncates on edit and answers a steer', async (t) => {
  const server = await startExec(t);
  const thread = await newThread(server.client);
  const first = await runTurn(server, thread.id, 'hello world');
  assert.deepStrictEqual([first.turn.status, first.turn.usage, first.items[1]!.detail], ['completed', { inputTokens: 2, outputTokens: 3 }, 'echo[1]: hello world']);
  const deltas = server.events.of(thread.id).filter((e) => e.kind === 'item.delta' && e.turnId === first.turn.id).map((e) => (e.payload as { text: string }).text);
  assert.equal(deltas.join(''), 'echo[1]: hello world');
  assert.equal((await runTurn(server, thread.id, 'again')).items[1]!.detail, 'echo[2]: again');
  const { turn } = await server.client.request('thread/editLastTurn', { threadId: thread.id, content: 'edited' });
  await server.events.turnCompleted(turn.id);
  assert.equal((await server.client.request('turn/get', { turnId: turn.id })).items[1]!.detail, 'echo[2]: edited');

  const slow = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: '!sleep 60000\nslow' });
  await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'steered', delivery: 'steer' });
  const { turn: interrupted } = await server.client.request('thread/interrupt', { threadId: thread.id });
  assert.equal(interrupted!.status, 'interrupted');
  assert.equal(slow.turn.id, interrupted!.id);
  assert.equal((await runTurn(server, thread.id, 'after')).items[1]!.detail, 'echo[5]: after', 'the interrupted prompt and the steer count; the edited-away one does not');
});

test('exec: an engine approval goes through Threadline (autoApprove decides) and a turn.failed report fails the turn as given', async (t) => {
  const server = await startExec(t);
  const thread = await newThread(server.client, { autoApprove: true });
  const tool = await runTurn(server, thread.id, '!tool shell make\nbuilt');
  assert.deepStrictEqual(tool.items.map((i) => [i.kind, i.status, i.detail]), [
    ['user_message', 'completed', '!tool shell make\nbuilt'],
    ['tool_call', 'completed', 'make'],
    ['tool_result', 'completed', 'approved'],
    ['agent_message', 'completed', 'echo[1]: built'],
  ]);
  const failed = await runTurn(server, thread.id, '!fail the engine gave up');
  assert.deepStrictEqual([failed.turn.status, failed.turn.error], ['failed', 'the engine gave up']);
});

test('exec: an engine that crashes mid-turn fails it with its exit code and stderr tail; the next prompt respawns it with the history', async (t) => {
  const server = await startExec(t);
  const thread = await newThread(server.client);
  await runTurn(server, thread.id, 'one');
  const [before] = childrenOf(server.spawned.process.pid!);
  assert.ok(before);
  const crashed = await runTurn(server, thread.id, '!crash 3\ntwo');
  assert.equal(crashed.turn.status, 'failed');
  assert.equal(crashed.turn.error, "exec host: the turn's event stream failed: the engine process exited with code 3; stderr: echo_engine: crashing on purpose");
  await eventually(() => !isAlive(before), 'the crashed engine is gone');
  assert.equal((await runTurn(server, thread.id, 'three')).items[1]!.detail, 'echo[3]: three');
  const after = childrenOf(server.spawned.process.pid!);
  assert.equal(after.length, 1);
  assert.notEqual(after[0], before);
});

test('exec: an engine that writes garbage fails its turn and is replaced; a command that cannot start fails the turn with HostError', async (t) => {
  const server = await startExec(t);
  const thread = await newThread(server.client);
  const garbage = await runTurn(server, thread.id, '!garbage\nx');
  assert.deepStrictEqual([garbage.turn.status, garbage.turn.error], ['failed', "exec host: the turn's event stream failed: the engine wrote a line that is not JSON: this is not json"]);
  assert.equal((await runTurn(server, thread.id, 'fine')).items[1]!.detail, 'echo[2]: fine');

  const missing = await startServer(t, { args: ['--host', 'exec', '--host-option', 'command=no-such-engine-binary --flag'] });
  const other = await newThread(missing.client);
  await assert.rejects(missing.client.request('thread/startTurn', { threadId: other.id, prompt: 'hi' }), (err) => {
    assert.ok(err instanceof HostError);
    assert.equal(err.message, 'exec host failed to start the turn: could not load the engine: the engine process could not be started; stderr: spawn no-such-engine-binary ENOENT');
    return true;
  });
});

test('exec: no engine process is left behind after thread/delete, a graceful exit, or the server being killed', async (t) => {
  const server = await startExec(t);
  const pid = server.spawned.process.pid!;
  const a = await newThread(server.client);
  const b = await newThread(server.client);
  await runTurn(server, a.id, 'a');
  await runTurn(server, b.id, 'b');
  const engines = childrenOf(pid);
  assert.equal(engines.length, 2);
  await server.client.request('thread/delete', { threadId: a.id });
  await eventually(() => childrenOf(pid).length === 1, 'the deleted thread\'s engine is gone');
  const [survivor] = childrenOf(pid);
  await server.spawned.close();
  assert.equal(isAlive(survivor!), false, 'a graceful exit waits for its engines to be gone');

  const killed = await startExec(t);
  const c = await newThread(killed.client);
  await runTurn(killed, c.id, 'c');
  const [orphan] = childrenOf(killed.spawned.process.pid!);
  await killed.kill();
  await eventually(() => !isAlive(orphan!), 'an engine whose server was SIGKILLed exits on stdin EOF');
});

test('exec: a steered prompt reaches the running engine and is answered in the same turn', async (t) => {
  const server = await startExec(t);
  const thread = await newThread(server.client);
  // The engine sleeps a second before replying, far longer than the steer takes to arrive.
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: '!sleep 1000\nfirst' });
  const steered = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'second', delivery: 'steer' });
  assert.deepStrictEqual([steered.turn.id, steered.queued], [turn.id, null]);
  assert.equal((await server.events.turnCompleted(turn.id)).payload.turn.status, 'completed');
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual(items.map((i) => [i.kind, i.detail]), [
    ['user_message', '!sleep 1000\nfirst'],
    ['user_message', 'second'],
    ['agent_message', 'echo[1]: first'],
    ['agent_message', 'echo[2]: second'],
  ]);
});
