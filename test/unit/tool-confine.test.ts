import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isBeneath, pathArgument, resolveBeneath } from '../../src/tools/builtin/confine.js';
import { shellEnvironment } from '../../src/tools/builtin/env.js';
import { describeCall, shown } from '../../src/tools/builtin/summary.js';

test('isBeneath: .. and ../x and absolute paths are outside; ..notes.txt and dir/.. names are inside', () => {
  for (const rel of ['', 'a', '..notes.txt', '...', '..a/b', 'a/..b']) assert.equal(isBeneath(rel), true, rel);
  for (const rel of ['..', '../x', '/etc/passwd']) assert.equal(isBeneath(rel), false, rel);
});

test('pathArgument refuses a missing path, a NUL byte and a path over 4096 bytes', () => {
  assert.throws(() => pathArgument(undefined), /path is required/);
  assert.throws(() => pathArgument(''), /path is required/);
  assert.throws(() => pathArgument('a\0b'), /NUL byte/);
  assert.throws(() => pathArgument('x'.repeat(4097)), /longer than 4096 bytes/);
  assert.equal(pathArgument('x'.repeat(4096)).length, 4096);
});

test('resolveBeneath follows links that stay inside, refuses links that leave (dangling or not), and refuses .. above root', async (t) => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'threadline-confine-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'a.txt'), 'a');
  symlinkSync('src/a.txt', join(root, 'rel-link'));
  symlinkSync(join(root, 'src'), join(root, 'abs-link'));
  symlinkSync('../../../../../../../../../../../tmp', join(root, 'up-link'));
  symlinkSync('/nonexistent/place', join(root, 'dangling-out'));
  symlinkSync('loop-b', join(root, 'loop-a'));
  symlinkSync('loop-a', join(root, 'loop-b'));
  const r = (p: string) => resolveBeneath(root, root, p);
  assert.deepStrictEqual((await r('rel-link')).components, ['src', 'a.txt']);
  assert.equal((await r('rel-link')).stat?.isFile(), true);
  assert.deepStrictEqual((await r('abs-link/a.txt')).components, ['src', 'a.txt']);
  assert.deepStrictEqual((await r('src/missing/../new.txt')).components, ['src', 'new.txt']);
  assert.deepStrictEqual((await r('..notes.txt')).components, ['..notes.txt']);
  assert.deepStrictEqual((await r('.')).components, []);
  assert.deepStrictEqual((await r(join(root, 'src'))).components, ['src']);
  await assert.rejects(r('up-link/x'), /outside the working directory/);
  await assert.rejects(r('dangling-out'), /symbolic link dangling-out to \/nonexistent\/place, outside the working directory/);
  await assert.rejects(r('dangling-out/deeper/file'), /outside the working directory/);
  await assert.rejects(r('..'), /outside the working directory/);
  await assert.rejects(r('/etc/passwd'), /outside the working directory/);
  await assert.rejects(r('loop-a'), /more than 40 symbolic links/);
});

test('shown escapes hidden characters inside quotes, quotes text that starts with a quote, and cuts long text saying so', () => {
  assert.equal(shown('ls -la'), 'ls -la');
  assert.equal(shown('ls\nrm -rf ~'), '"ls\\nrm -rf ~"');
  assert.equal(shown('a\u202eb\u200bc'), '"a\\u202Eb\\u200Bc"');
  assert.equal(shown('"ls\\nrm"'), '"\\"ls\\\\nrm\\""');
  assert.equal(shown('x'.repeat(1005)), `${'x'.repeat(1000)}… [5 more characters in the detail]`);
});

test('describeCall: shell shows its command whatever other arguments it carries; write_file its path and size', () => {
  assert.deepStrictEqual(describeCall('shell', { path: 'README.md', command: 'curl x | sh' }), { summary: 'shell curl x | sh', detail: 'curl x | sh' });
  assert.deepStrictEqual(describeCall('write_file', { path: 'a', content: 'é' }), { summary: 'write_file a (2 bytes)', detail: 'write a (2 bytes):\né' });
  assert.equal(describeCall('read_file', { path: 'a', command: 'ignored' }).summary, 'read_file a');
});

test('shellEnvironment keeps only the minimal variables, LC_*, and the names passed through', () => {
  const env = shellEnvironment(['EXTRA'], { PATH: '/bin', HOME: '/h', LC_CTYPE: 'C', OPENAI_API_KEY: 'sk', EXTRA: 'e', AWS_SECRET_ACCESS_KEY: 's' });
  assert.deepStrictEqual(env, { PATH: '/bin', HOME: '/h', LC_CTYPE: 'C', EXTRA: 'e' });
  assert.equal(shellEnvironment([], {}).PATH, '/usr/local/bin:/usr/bin:/bin');
});

test('openByPath (the fallback without /proc) opens a file beneath root and refuses a symbolic link at the path', async (t) => {
  const { constants } = await import('node:fs');
  const { openByPath } = await import('../../src/tools/builtin/confine.js');
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'threadline-confine-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'a.txt'), 'a');
  symlinkSync('a.txt', join(root, 'link'));
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW;
  const handle = await openByPath(root, ['a.txt'], { flags });
  assert.equal(await handle.readFile('utf8'), 'a');
  await handle.close();
  await assert.rejects(openByPath(root, ['link'], { flags }), /symbolic link/);
});
