import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { textReply, toolCallReply } from '../helpers/fake-openai.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { newThread } from '../helpers/server.js';

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Swaps `d` between a real directory and a symbolic link to `outside`, as fast as it can, until killed. */
const SWAPPER = `
const { renameSync } = require('node:fs');
process.chdir(process.argv[1]);
const swap = (from, to) => { try { renameSync(from, to); } catch {} };
process.stdout.write('ready\\n');
for (;;) { swap('d', 'd.dir'); swap('d.link', 'd'); swap('d', 'd.link'); swap('d.dir', 'd'); }
`;

const ROUNDS = 20;
const CALLS = 25;

test('openai tools: swapping a directory for a symlink out of cwd while read_file runs never lets the outside file reach the model', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const outside = tempDir(t, 'threadline-outside-');
  mkdirSync(join(cwd, 'd'));
  writeFileSync(join(cwd, 'd', 'f'), 'inside');
  writeFileSync(join(outside, 'f'), 'SECRET');
  symlinkSync(outside, join(cwd, 'd.link'));
  const { fake, server } = await startOpenAIServer(t, ['--max-tool-rounds', String(ROUNDS + 1)]);
  const swapper = spawn(process.execPath, ['-e', SWAPPER, cwd], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => swapper.kill('SIGKILL'));
  await new Promise((resolve) => swapper.stdout.once('data', resolve));
  for (let round = 0; round < ROUNDS; round++) {
    fake.respond(toolCallReply(Array.from({ length: CALLS }, (_, i) => ({ id: `r${round}c${i}`, name: 'read_file', args: { path: 'd/f' } }))));
  }
  fake.respond(textReply('done'));
  const thread = await newThread(server.client, { cwd });
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'read d/f many times' });
  const done = (await server.events.turnCompleted(turn.id, 120_000)).payload.turn;
  swapper.kill('SIGKILL');
  assert.equal(done.status, 'completed');
  const seen = fake.requests.at(-1)!.body.messages.filter((m) => m.role === 'tool').map((m) => m.content!);
  assert.equal(seen.length, ROUNDS * CALLS);
  const leaked = seen.filter((text) => text.includes('SECRET'));
  const inside = seen.filter((text) => text === 'inside').length;
  t.diagnostic(`${inside} of ${seen.length} reads got the inside file; the rest were refused or found nothing`);
  assert.deepStrictEqual(leaked, [], `${leaked.length} of ${seen.length} reads returned the file outside cwd`);
});
