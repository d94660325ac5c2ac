import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { textReply, toolCallReply } from '../helpers/fake-openai.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { newThread, type TestServer } from '../helpers/server.js';

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A workspace with src/a.txt, and a directory outside it holding secret.txt. */
function setup(t: TestContext) {
  const cwd = tempDir(t, 'threadline-cwd-');
  mkdirSync(join(cwd, 'src'));
  writeFileSync(join(cwd, 'src', 'a.txt'), 'alpha\n');
  const outside = tempDir(t, 'threadline-outside-');
  writeFileSync(join(outside, 'secret.txt'), 'SECRET');
  return { cwd, outside };
}

/** Runs one turn in which the model calls `calls` (all at once) and then answers; the tool results, in order. */
async function toolResults(server: TestServer, fake: Awaited<ReturnType<typeof startOpenAIServer>>['fake'], cwd: string, calls: { name: string; args: Record<string, unknown> }[], timeoutMs = 20_000) {
  fake.respond(toolCallReply(calls.map((c, i) => ({ id: `c${i}`, ...c }))), textReply('done'));
  const thread = await newThread(server.client, { cwd, autoApprove: true });
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'go' });
  const done = (await server.events.turnCompleted(turn.id, timeoutMs)).payload.turn;
  assert.equal(done.status, 'completed');
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  return items.filter((i) => i.kind === 'tool_result').map((i) => i.detail!);
}

test('openai tools: write_file through a dangling symlink that leads outside cwd is refused and creates nothing outside', async (t) => {
  const { cwd, outside } = setup(t);
  symlinkSync(join(outside, 'planted.txt'), join(cwd, 'dangling'));
  symlinkSync('../../../../../../../..' + join(outside, 'relative.txt'), join(cwd, 'dangling-relative'));
  symlinkSync(join(outside, 'no-such-dir'), join(cwd, 'ghost'));
  const { fake, server } = await startOpenAIServer(t);
  const results = await toolResults(server, fake, cwd, [
    { name: 'write_file', args: { path: 'dangling', content: 'x' } },
    { name: 'write_file', args: { path: 'dangling-relative', content: 'x' } },
    { name: 'write_file', args: { path: 'ghost/deep/file.txt', content: 'x' } },
  ]);
  for (const r of results) assert.match(r, /^error: path .* outside the working directory; refused$/);
  assert.deepStrictEqual(readdirSync(outside), ['secret.txt'], 'nothing was created outside cwd');
});

test('openai tools: symbolic links that stay inside cwd, a symlinked cwd, and a file named ..notes.txt all work; .. out of cwd does not', async (t) => {
  const { cwd, outside } = setup(t);
  writeFileSync(join(cwd, '..notes.txt'), 'notes');
  symlinkSync('src/a.txt', join(cwd, 'alias'));
  symlinkSync(join(cwd, 'src'), join(cwd, 'src-abs'));
  symlinkSync('src/../src/new.txt', join(cwd, 'future'));
  const linkedCwd = join(tempDir(t, 'threadline-link-'), 'cwd');
  symlinkSync(cwd, linkedCwd);
  const { fake, server } = await startOpenAIServer(t);
  const results = await toolResults(server, fake, linkedCwd, [
    { name: 'read_file', args: { path: '..notes.txt' } },
    { name: 'read_file', args: { path: 'alias' } },
    { name: 'read_file', args: { path: 'src-abs/a.txt' } },
    { name: 'read_file', args: { path: join(linkedCwd, 'src', 'a.txt') } },
    { name: 'write_file', args: { path: 'future', content: 'via link' } },
    { name: 'read_file', args: { path: 'src/new.txt' } },
    { name: 'read_file', args: { path: `../${join('..', outside, 'secret.txt')}` } },
    { name: 'read_file', args: { path: 'src/../../x' } },
  ]);
  assert.deepStrictEqual(results.slice(0, 6), ['notes', 'alpha\n', 'alpha\n', 'alpha\n', 'wrote 8 bytes to future', 'via link']);
  for (const r of results.slice(6)) assert.match(r, /^error: path .* is outside the working directory; refused$/);
});

test('openai tools: read_file and list_dir on FIFOs are refused at once, and later file tools still work', async (t) => {
  const { cwd } = setup(t);
  for (let i = 0; i < 5; i++) execFileSync('mkfifo', [join(cwd, `pipe${i}`)]);
  const { fake, server } = await startOpenAIServer(t);
  const results = await toolResults(server, fake, cwd, [
    ...[0, 1, 2, 3, 4].map((i) => ({ name: 'read_file', args: { path: `pipe${i}` } })),
    { name: 'list_dir', args: { path: 'pipe0' } },
    { name: 'write_file', args: { path: 'pipe1', content: 'x' } },
    { name: 'read_file', args: { path: 'src/a.txt' } },
  ], 15_000);
  assert.deepStrictEqual(results, [
    ...[0, 1, 2, 3, 4].map((i) => `error: pipe${i} is a FIFO; only regular files can be read or written`),
    'error: pipe0 is not a directory',
    'error: pipe1 is a FIFO; only regular files can be read or written',
    'alpha\n',
  ]);
});

test('openai tools: read_file of a 900 MB file reads only the cap and tells the model the file was cut and its size', async (t) => {
  const { cwd } = setup(t);
  const size = 900 * 1024 * 1024;
  writeFileSync(join(cwd, 'huge.bin'), 'head');
  truncateSync(join(cwd, 'huge.bin'), size); // sparse: no disk is used
  const { fake, server } = await startOpenAIServer(t, ['--host-option', 'maxOutputBytes=1000']);
  const [result] = await toolResults(server, fake, cwd, [{ name: 'read_file', args: { path: 'huge.bin' } }]);
  assert.equal(result, `head${'\0'.repeat(996)}\n[file cut: the first 1000 bytes of ${size} were read]\n`);
});

test('openai tools: list_dir lists at most maxListEntries entries and says the listing was cut', async (t) => {
  const { cwd } = setup(t);
  mkdirSync(join(cwd, 'many'));
  for (let i = 0; i < 30; i++) writeFileSync(join(cwd, 'many', `f${String(i).padStart(2, '0')}`), '');
  const { fake, server } = await startOpenAIServer(t, ['--host-option', 'maxListEntries=10']);
  const [result] = await toolResults(server, fake, cwd, [{ name: 'list_dir', args: { path: 'many' } }]);
  const lines = result!.split('\n');
  assert.equal(lines.length, 11);
  assert.equal(lines.at(-1), '[listing cut at 10 entries]');
});

test('openai tools: a path with a NUL byte or longer than 4096 bytes is refused with a clear error', async (t) => {
  const { cwd } = setup(t);
  const { fake, server } = await startOpenAIServer(t);
  const results = await toolResults(server, fake, cwd, [
    { name: 'read_file', args: { path: 'src/a.txt\0.png' } },
    { name: 'write_file', args: { path: 'a/'.repeat(3000), content: 'x' } },
  ]);
  assert.deepStrictEqual(results, ['error: path contains a NUL byte; refused', 'error: path is longer than 4096 bytes; refused']);
  assert.equal(existsSync(join(cwd, 'a')), false);
});
