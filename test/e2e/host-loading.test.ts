import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { HostError } from '@threadline/protocol';
import { buildHost } from '../helpers/build-host.js';
import { runCli } from '../helpers/run-cli.js';
import { newThread, startServer } from '../helpers/server.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-hosts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function replyOf(server: Awaited<ReturnType<typeof startServer>>, threadId: string, prompt: string) {
  const { turn } = await server.client.request('thread/startTurn', { threadId, prompt });
  const done = await server.events.turnCompleted(turn.id);
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  return { status: done.payload.turn.status, reply: items.find((i) => i.kind === 'agent_message')?.detail };
}

test('the example TypeScript host, built to .mjs and loaded by path, runs turns with its --host-option and truncates on edit', async (t) => {
  const hostFile = await buildHost(t, 'examples/hosts/shout-host.ts');
  const server = await startServer(t, { args: ['--host', hostFile, '--host-option', 'prefix=HEY'] });
  assert.ok(server.initializeResult!.capabilities.hosts.includes(hostFile));
  const thread = await newThread(server.client);
  assert.deepStrictEqual(await replyOf(server, thread.id, 'hello there'), { status: 'completed', reply: 'HEY[1] HELLO THERE' });
  assert.deepStrictEqual(await replyOf(server, thread.id, 'again'), { status: 'completed', reply: 'HEY[2] AGAIN' });
  const { turn } = await server.client.request('thread/editLastTurn', { threadId: thread.id, content: 'edited' });
  await server.events.turnCompleted(turn.id);
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  assert.equal(items[1]!.detail, 'HEY[2] EDITED');
});

test('an npm package exporting createHost is loaded by name from the server\'s working directory (ESM-only exports)', async (t) => {
  const hostFile = await buildHost(t, 'examples/hosts/shout-host.ts');
  const cwd = tempDir(t);
  const pkg = join(cwd, 'node_modules', 'threadline-host-shout');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'threadline-host-shout', type: 'module', exports: { '.': { import: './index.mjs' } } }));
  copyFileSync(hostFile, join(pkg, 'index.mjs'));
  const server = await startServer(t, { cwd, args: ['--host', 'threadline-host-shout'] });
  const thread = await newThread(server.client);
  assert.deepStrictEqual(await replyOf(server, thread.id, 'hi'), { status: 'completed', reply: 'SHOUT[1] HI' });
});

test('a --host that cannot be resolved, or bad host flags, stop serve at once with exit 2 and one line on stderr', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'notes.txt'), 'not a module');
  const db = join(dir, 'x.db');
  for (const [args, pattern] of [
    [['--host', './missing-host.mjs'], /host "\.\/missing-host\.mjs" not found: no such file .*missing-host\.mjs/],
    [['--host', join(dir, 'notes.txt')], /not found: a host file must be a \.js or \.mjs module/],
    [['--host', 'no-such-package'], /host "no-such-package" not found: not a built-in host \(echo, .*openai\), a \.js\/\.mjs file, or an npm package installed under/],
    [['--host-option', 'novalue'], /--host-option must be key=value, got "novalue"/],
    [['--openai-base-url', 'http://127.0.0.1:1/v1'], /--openai-base-url only applies to --host openai/],
    [['--host', 'openai', '--openai-max-retries', 'many'], /--openai-max-retries: must be a whole number \(0 or more\), got "many"/],
    [['--host', 'openai', '--prices', join(dir, 'notes.txt')], /--prices: .*notes\.txt is not JSON/],
    [['--max-loaded-engines', '0'], /--max-loaded-engines/],
    [['--approval-timeout', 'soon'], /--approval-timeout must be a positive number of seconds, got "soon"/],
  ] as const) {
    const { code, stderr } = await runCli(['serve', '--db', db, ...args], { cwd: dir });
    assert.equal(code, 2, stderr);
    assert.match(stderr, pattern);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
});

test('initialize does not import the host: a module that cannot be imported fails the first turn with HostError, not start-up', async (t) => {
  const file = join(tempDir(t), 'broken-host.mjs');
  writeFileSync(file, 'export const createHost = (;\n');
  const { client, events } = await startServer(t, { args: ['--host', file] });
  const thread = await newThread(client);
  for (let attempt = 0; attempt < 2; attempt++) {
    await assert.rejects(client.request('thread/startTurn', { threadId: thread.id, prompt: 'hi' }), (err) => {
      assert.ok(err instanceof HostError);
      assert.match(err.message, new RegExp(`^${file} host failed to start the turn: could not import the host module: `));
      return true;
    });
  }
  const { turns } = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  assert.deepStrictEqual(turns!.map((turn) => turn.status), ['failed', 'failed']);
  assert.equal((await events.turnCompleted(turns![1]!.id)).payload.turn.status, 'failed');
});
