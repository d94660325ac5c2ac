import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { sqliteOnly } from '../helpers/test-db.js';

// Each bad command line exits 2 with one line on stderr that says what is wrong in our words
// (not Node's argument parser's) and, where the fix is to read the usage, points at --help.
test('bad flags exit 2 with one readable line', sqliteOnly('bad --db paths (a file where a folder should be) are SQLite\'s'), async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = ['--db', join(dir, 'x.db')];
  writeFileSync(join(dir, 'a-file'), '');
  const cases: [string[], RegExp][] = [
    [['serve', ...db, '--max-queued', '-5'], /^threadline: --max-queued must be a positive integer, got "-5"$/],
    [['serve', ...db, '--lease-ttl', '-1.5'], /^threadline: --lease-ttl must be a positive number of seconds, got "-1.5"$/],
    [['serve', ...db, '--lease-ttl', '0'], /^threadline: --lease-ttl must be a positive number of seconds, got "0"$/],
    [['serve', ...db, '--bogus'], /^threadline: unknown option --bogus \(try: threadline --help\)$/],
    [['serve', ...db, '--max-queued'], /^threadline: --max-queued needs a value \(try: threadline --help\)$/],
    [['serve', ...db, 'stray'], /^threadline: unexpected argument "stray" .*try: threadline --help/],
    [['serve', ...db, '--host', 'openai', '--prices', join(dir, 'missing.json')], /^threadline: --prices: cannot read .*missing\.json: no such file$/],
    [['serve', ...db, '--host', 'openai', '--prices', dir], /^threadline: --prices: cannot read .*: is a directory$/],
    [['serve', ...db, '--host', 'openai', '--openai-idle-timeout', '0'], /^threadline: --openai-idle-timeout: must be a positive number of seconds, got "0"$/],
    [['serve', '--db', join(dir, 'a-file', 'x.db')], /^threadline: cannot open database .*x\.db: .*a-file is a file, so the folder .*a-file cannot be made$/],
    [['serve', '--db', join(dir, 'a-file', 'sub', 'x.db')], /^threadline: cannot open database .*x\.db: .*a-file is a file, so the folder .*sub cannot be made$/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await runCli(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr.trim(), pattern, args.join(' '));
  }
});
