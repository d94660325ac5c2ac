import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { BIN } from '../helpers/server.js';
import { withTestDb } from '../helpers/test-db.js';

/** `threadline chat ...args` with `input` on its stdin (a pipe, not a terminal). */
async function chatPiped(args: string[], input: string, env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [BIN, 'chat', ...(await withTestDb(args))], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(input);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function tempDb(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-chat-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'chat.db');
}

test('piped: one prompt per line, each turn awaited, replies as plain text on stdout', async (t) => {
  const db = tempDb(t);
  const first = await chatPiped(['--db', db], 'hello there\n\n  second **line**  \n');
  assert.equal(first.code, 0, first.stderr);
  // Exactly the replies, no colour, no prompt echo, markdown left as the engine wrote it.
  assert.equal(first.stdout, 'echo[1]: hello there\necho[2]: second **line**\n');
  assert.match(first.stderr, /^\[thread thr_\S+\]$/m);

  // By default the most recently active thread goes on; --new starts another.
  const again = await chatPiped(['--db', db], 'more\n');
  assert.equal(again.stdout, 'echo[3]: more\n');
  const fresh = await chatPiped(['--db', db, '--new'], 'fresh\n');
  assert.equal(fresh.stdout, 'echo[1]: fresh\n');
  const id = /\[thread (thr_\S+)\]/.exec(first.stderr)![1]!;
  const chosen = await chatPiped(['--db', db, '--thread', id], 'back\n');
  assert.equal(chosen.stdout, 'echo[4]: back\n');
});

test('piped: a turn that fails is reported on stderr and the exit code is 1; tools and approvals on stderr', async (t) => {
  const db = tempDb(t);
  const result = await chatPiped(['--db', db], '!fail engine broke\nfirst words\n!tool shell ls\nafter tool\n');
  assert.equal(result.code, 1);
  // Each line is a prompt: `!fail` streams the reply's first word, then the turn fails; the
  // later prompts still run.
  assert.equal(result.stdout, 'echo[1]:\necho[2]: first words\necho[3]:\necho[4]: after tool\n');
  assert.match(result.stderr, /\[turn failed: engine broke\]/);
  // No client answers approvals when piped: the thread's autoApprove (false) denies.
  assert.match(result.stderr, /\[approval denied: auto_approve\]/);
});

test('chat: bad usage is one line on stderr and exit 2', async (t) => {
  const db = tempDb(t);
  const cases: [string[], RegExp][] = [
    [['--thread'], /^threadline chat: --thread needs a thread id/],
    [['--thread', 'thr_x', '--new'], /^threadline chat: --thread and --new cannot be used together/],
    [['stray'], /^threadline chat: unexpected argument "stray"/],
    [['--db', db, '--bogus'], /^threadline chat: unknown option --bogus/],
    [['--db', db, '--thread', 'thr_missing'], /^threadline chat: no thread thr_missing/],
  ];
  for (const [args, message] of cases) {
    const result = await chatPiped(args, '');
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(result.stdout, '');
  }
  const help = await chatPiped(['--help'], '');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^threadline chat — /);
  assert.match(help.stdout, /--thread ID/);
});
