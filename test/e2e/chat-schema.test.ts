import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/run-cli.js';

const committed = readFileSync(new URL('../../schema/threadline.schema.json', import.meta.url), 'utf8');

test('schema --out DIR writes the JSON Schema (the same file as schema/) and the protocol declarations', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-schema-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'nested', 'out');
  const result = await runCli(['schema', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(readFileSync(join(out, 'threadline.schema.json'), 'utf8'), committed);
  const index = readFileSync(join(out, 'protocol', 'index.d.ts'), 'utf8');
  assert.match(index, /ThreadlineClient/);
  assert.ok(existsSync(join(out, 'protocol', 'methods.d.ts')));
  assert.ok(!existsSync(join(out, 'protocol', 'index.js')), 'declarations only');
  assert.match(result.stdout, /wrote .*threadline\.schema\.json/);
});

test('schema without --out prints the JSON Schema; bad usage exits 2 with one line; --help exits 0', async () => {
  const printed = await runCli(['schema']);
  assert.equal(printed.code, 0);
  assert.equal(printed.stdout, committed);
  for (const args of [['schema', '--bogus'], ['schema', 'stray'], ['schema', '--out']]) {
    const bad = await runCli(args);
    assert.equal(bad.code, 2, args.join(' '));
    assert.match(bad.stderr, /^threadline schema: .*\(try: threadline schema --help\)\n$/);
  }
  const help = await runCli(['schema', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--out DIR/);
});
