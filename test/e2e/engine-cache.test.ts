import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childrenOf, eventually } from '../helpers/processes.js';
import { runTurn } from '../helpers/openai-server.js';
import { newThread, startServer } from '../helpers/server.js';

const ENGINE = fileURLToPath(new URL('../../examples/engines/echo_engine.py', import.meta.url));
const PYTHON_ENGINE = ['--host', 'exec', '--host-option', `command=python3 "${ENGINE}"`];

test('with --max-loaded-engines 2 and 5 threads, engines are evicted and reloaded from history: echo N shows every thread keeps its history', async (t) => {
  const server = await startServer(t, { args: ['--max-loaded-engines', '2'] });
  const threads = [];
  for (let i = 0; i < 5; i++) threads.push(await newThread(server.client));
  for (let round = 1; round <= 3; round++) {
    for (const [i, thread] of threads.entries()) {
      const { turn, items } = await runTurn(server, thread.id, `t${i} r${round}`);
      assert.deepStrictEqual([turn.status, items[1]!.detail], ['completed', `echo[${round}]: t${i} r${round}`]);
    }
  }
  const evictions = server.stderr.filter((line) => line.includes('engine evicted'));
  assert.equal(evictions.length, 13, 'every load past the second evicts the least recently used engine');
});

test('the engine cache holds at most --max-loaded-engines engine processes, and an evicted exec engine comes back with its history', async (t) => {
  const server = await startServer(t, { args: [...PYTHON_ENGINE, '--max-loaded-engines', '2'] });
  const pid = server.spawned.process.pid!;
  const threads = [];
  for (let i = 0; i < 5; i++) threads.push(await newThread(server.client));
  for (let round = 1; round <= 2; round++) {
    for (const thread of threads) {
      assert.equal((await runTurn(server, thread.id, 'hi')).items[1]!.detail, `echo[${round}]: hi`);
      await eventually(() => childrenOf(pid).length <= 2, 'evicted engine processes exit');
    }
  }
  assert.equal(childrenOf(pid).length, 2);
});

test('an engine with a running turn is never evicted: the cache runs over until the turn ends', async (t) => {
  const server = await startServer(t, { args: [...PYTHON_ENGINE, '--max-loaded-engines', '1'] });
  const pid = server.spawned.process.pid!;
  const busy = await newThread(server.client);
  const idle = await newThread(server.client);
  const { turn } = await server.client.request('thread/startTurn', { threadId: busy.id, prompt: '!sleep 60000\nslow' });
  assert.equal((await runTurn(server, idle.id, 'quick')).turn.status, 'completed');
  assert.equal(childrenOf(pid).length, 2, 'both engines are loaded: the busy one could not be evicted');
  assert.equal((await server.client.request('turn/get', { turnId: turn.id })).turn.status, 'in_progress');
  const { turn: ended } = await server.client.request('thread/interrupt', { threadId: busy.id });
  assert.equal(ended!.status, 'interrupted', 'not failed: its engine process was never killed');
  assert.equal((await runTurn(server, busy.id, 'again')).items[1]!.detail, 'echo[2]: again');
  await eventually(() => childrenOf(pid).length === 1, 'back to one loaded engine once nothing runs');
});
