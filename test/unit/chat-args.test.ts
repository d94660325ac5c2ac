import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseChatArgs, UsageError } from '../../clients/chat/src/args.js';
import { LineEditor } from '../../clients/chat/src/view/line-editor.js';

test('chat flags: its own are read, the rest go to serve (with --log-level error unless given)', () => {
  assert.deepEqual(parseChatArgs(['--db', 'x.db', '--thread', 'thr_1', '--host', 'echo']), {
    newThread: false,
    help: false,
    threadId: 'thr_1',
    serveArgs: ['--db', 'x.db', '--host', 'echo', '--log-level', 'error'],
  });
  assert.deepEqual(parseChatArgs(['--new', '--log-level=debug']).serveArgs, ['--log-level=debug']);
  assert.equal(parseChatArgs(['--thread=thr_2']).threadId, 'thr_2');
  assert.throws(() => parseChatArgs(['--thread']), UsageError);
  assert.throws(() => parseChatArgs(['--thread', '--new']), UsageError);
  assert.throws(() => parseChatArgs(['--new', '--thread', 'thr_1']), /cannot be used together/);
  assert.throws(() => parseChatArgs(['oops']), /unexpected argument "oops"/);
});

test('line editor: insert, move, delete by character and word, never splitting a surrogate pair', () => {
  const e = new LineEditor();
  for (const ch of 'hello world') e.handle(ch, {});
  e.handle(undefined, { name: 'w', ctrl: true });
  assert.equal(e.text, 'hello ');
  e.handle(undefined, { name: 'home' });
  e.handle('>', {});
  assert.deepEqual([e.text, e.cursor], ['>hello ', 1]);
  e.handle(undefined, { name: 'k', ctrl: true });
  assert.equal(e.text, '>');
  e.set('a😀');
  e.handle(undefined, { name: 'backspace' });
  assert.equal(e.text, 'a');
  assert.equal(e.handle('\x1b', { name: 'escape' }), false, 'keys it does not own are left to the app');
  assert.equal(e.handle(undefined, { name: 'return' }), false);
});

// REVIEW.md (c): the frontend is built only on the public protocol package.
test('clients/chat imports nothing from src/, only @threadline/protocol, marked and node:', () => {
  const root = fileURLToPath(new URL('../../clients/chat/src/', import.meta.url));
  const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
  for (const file of files(root)) {
    const imports = [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1]!);
    const foreign = imports.filter((p) => !p.startsWith('./') && !p.startsWith('../') && !p.startsWith('node:') && !/^(@threadline\/protocol(\/node)?|marked)$/.test(p));
    assert.deepEqual(foreign, [], file);
    assert.deepEqual(imports.filter((p) => p.includes('/src/') || /^(\.\.\/){2,}/.test(p)), [], file);
  }
});
