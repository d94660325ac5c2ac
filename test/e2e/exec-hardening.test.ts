import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { childrenOf, eventually, isAlive } from '../helpers/processes.js';
import { newThread, startServer, type TestServer } from '../helpers/server.js';

// An engine that misbehaves on cue (the prompt names what it does), to see what the exec host
// does about it: `env` answers with the environment it got, `stdout N` writes N bytes without a
// newline, `stderr N` writes N bytes of stderr without a newline and then answers; anything else
// is answered `ok`. After a turn it waits for stdin, so only Threadline ends it.
const ENGINE = String.raw`
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
// Writes that wait for room: the turn's answer follows only once Threadline has read the rest.
const spew = async (stream, n) => {
  const chunk = Buffer.alloc(65536, 0x78);
  for (; n > 0; n -= chunk.length) {
    if (!stream.write(n >= chunk.length ? chunk : chunk.subarray(0, n))) await require('node:events').once(stream, 'drain');
  }
  await new Promise((resolve) => stream.write('', resolve));
};
require('node:readline').createInterface({ input: process.stdin }).on('line', async (line) => {
  const m = JSON.parse(line);
  if (m.type === 'load') send({ type: 'ready' });
  if (m.type !== 'turn.start') return;
  const [what, n] = m.input.prompt.split(' ');
  if (what === 'stdout') return spew(process.stdout, Number(n));
  if (what === 'stderr') await spew(process.stderr, Number(n));
  const text = what === 'env' ? JSON.stringify(process.env) : 'ok';
  send({ type: 'item.started', turnId: m.turnId, key: 'r', kind: 'agent_message', text });
  send({ type: 'item.completed', turnId: m.turnId, key: 'r' });
  send({ type: 'turn.end', turnId: m.turnId });
});
`;

function engineArgs(t: TestContext, ...options: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-engine-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'engine.cjs');
  writeFileSync(script, ENGINE);
  return ['--host', 'exec', '--host-option', `command="${process.execPath}" "${script}"`, ...options.flatMap((o) => ['--host-option', o])];
}

/** Runs a turn to its end (or fails the test after 15 s: a turn left in_progress is the bug). */
async function turn(server: TestServer, threadId: string, prompt: string) {
  const { turn: started } = await server.client.request('thread/startTurn', { threadId, prompt });
  const { turn: ended } = await server.client.request('turn/wait', { turnId: started.id, timeoutMs: 15_000 });
  const { items } = await server.client.request('turn/get', { turnId: started.id });
  return { turn: ended, reply: items.find((i) => i.kind === 'agent_message')?.detail };
}

function memoryKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

test('exec: an engine line without a newline fails the turn at maxLineBytes (default 8 MiB) naming the limit; the engine is killed and the next turn gets a fresh one', async (t) => {
  for (const [options, limit, written] of [[[], 8 * 1024 * 1024, 12 * 1024 * 1024], [['maxLineBytes=65536'], 65536, 1024 * 1024]] as const) {
    const server = await startServer(t, { args: engineArgs(t, ...options) });
    const thread = await newThread(server.client);
    assert.equal((await turn(server, thread.id, 'hello')).reply, 'ok');
    const [engine] = childrenOf(server.spawned.process.pid!);
    const { turn: failed } = await turn(server, thread.id, `stdout ${written}`);
    assert.deepStrictEqual([failed.status, failed.error], [
      'failed',
      `exec host: the turn's event stream failed: the engine wrote a line longer than ${limit} bytes (the exec host's maxLineBytes option) without a newline`,
    ]);
    await eventually(() => !isAlive(engine!), 'the engine that broke the protocol is gone');
    assert.equal((await turn(server, thread.id, 'again')).reply, 'ok');
    assert.notDeepStrictEqual(childrenOf(server.spawned.process.pid!), [engine]);
  }
});

test('exec: 256 MiB of engine stderr without a newline is not held in memory, and the turn completes', async (t) => {
  const server = await startServer(t, { args: engineArgs(t) });
  const thread = await newThread(server.client);
  assert.equal((await turn(server, thread.id, 'warm up')).reply, 'ok');
  const pid = server.spawned.process.pid!;
  const before = memoryKb(pid, 'VmRSS');
  assert.equal((await turn(server, thread.id, `stderr ${256 * 1024 * 1024}`)).reply, 'ok');
  const grown = memoryKb(pid, 'VmHWM') - before;
  t.diagnostic(`peak memory grew ${Math.round(grown / 1024)} MiB`);
  assert.ok(grown < 128 * 1024, `the server's peak memory grew ${Math.round(grown / 1024)} MiB while the engine wrote 256 MiB of stderr`);
});

test('exec: the engine gets a minimal environment (no OPENAI_API_KEY, no other secret) plus the variables named by env=', async (t) => {
  const env = { ...process.env, OPENAI_API_KEY: 'sk-must-not-leak', THREADLINE_TEST_SECRET: 'hunter2', THREADLINE_TEST_WANTED: 'yes', LANG: 'C.UTF-8' };
  const minimal = await startServer(t, { args: engineArgs(t), env });
  const seen = JSON.parse((await turn(minimal, (await newThread(minimal.client)).id, 'env')).reply!) as Record<string, string>;
  assert.equal(seen.OPENAI_API_KEY, undefined);
  assert.equal(seen.THREADLINE_TEST_SECRET, undefined);
  assert.equal(seen.THREADLINE_TEST_WANTED, undefined);
  assert.deepStrictEqual([seen.PATH, seen.HOME, seen.LANG], [process.env.PATH, process.env.HOME, 'C.UTF-8']);
  const allowed = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TMPDIR', 'TZ'];
  assert.deepStrictEqual(Object.keys(seen).filter((name) => !allowed.includes(name)), []);

  const extended = await startServer(t, { args: engineArgs(t, 'env=THREADLINE_TEST_WANTED, OPENAI_API_KEY'), env });
  const given = JSON.parse((await turn(extended, (await newThread(extended.client)).id, 'env')).reply!) as Record<string, string>;
  assert.deepStrictEqual([given.THREADLINE_TEST_WANTED, given.OPENAI_API_KEY, given.THREADLINE_TEST_SECRET], ['yes', 'sk-must-not-leak', undefined]);
});

test('exec: a malformed env= option is refused naming it when the host loads', async (t) => {
  const server = await startServer(t, { args: engineArgs(t, 'env=GOOD,not-a-name') });
  const thread = await newThread(server.client);
  await assert.rejects(server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hi' }), /env: "not-a-name" is not an environment variable name/);
});

test('exec: an engine that breaks the protocol while loading fails the turn at once with what it did wrong, not with how it was then killed', async (t) => {
  for (const [script, problem] of [
    ['console.log("not json")', 'the engine wrote a line that is not JSON: not json'],
    ['process.stdout.write("x".repeat(5000))', "the engine wrote a line longer than 1000 bytes (the exec host's maxLineBytes option) without a newline"],
  ]) {
    // The engine ignores stdin's end: before the fix only SIGTERM, 2 s later, ended the load.
    const command = `command="${process.execPath}" -e '${script}; setInterval(() => {}, 1000)'`;
    const server = await startServer(t, { args: ['--host', 'exec', '--host-option', command, '--host-option', 'maxLineBytes=1000'] });
    const thread = await newThread(server.client);
    await assert.rejects(server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hi' }), {
      message: `exec host failed to start the turn: could not load the engine: ${problem}`,
    });
  }
});
