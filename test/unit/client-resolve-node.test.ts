import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeNotFoundError, resolveNodeExecutable, type NodeRuntime } from '@threadline/protocol/node';

/** A runtime whose only executables are `files`. */
function runtime(versions: NodeRuntime['versions'], PATH: string, files: string[], platform = 'linux'): NodeRuntime {
  return {
    execPath: '/opt/app/app-binary',
    versions: { node: '20.0.0', ...versions },
    env: { PATH },
    platform,
    isExecutable: (path) => files.includes(path),
  };
}

test('in Node itself the server runs with process.execPath', () => {
  assert.equal(resolveNodeExecutable(undefined, runtime({}, '/usr/bin', ['/usr/bin/node'])), '/opt/app/app-binary');
});

test('in Electron (a VS Code extension host), Bun or Deno: the first node on PATH', () => {
  const path = '/nothing-here:/home/u/.nvm/bin:/usr/bin';
  const files = ['/home/u/.nvm/bin/node', '/usr/bin/node'];
  for (const versions of [{ electron: '37.0.0' }, { bun: '1.2.0' }, { deno: '2.0.0' }]) {
    assert.equal(resolveNodeExecutable(undefined, runtime(versions, path, files)), '/home/u/.nvm/bin/node');
  }
});

test('on Windows PATH is split on ; and PATHEXT applies', () => {
  const rt = runtime({ electron: '37.0.0' }, 'C:\\Tools;C:\\Node', ['C:\\Node\\node.exe'], 'win32');
  rt.env.PATHEXT = '.COM;.EXE';
  assert.equal(resolveNodeExecutable(undefined, rt), 'C:\\Node\\node.exe');
});

test('no node on PATH inside Electron: a clear error that names the `node` option', () => {
  assert.throws(
    () => resolveNodeExecutable(undefined, runtime({ electron: '37.0.0' }, '/usr/bin', [])),
    (error: unknown) =>
      error instanceof NodeNotFoundError &&
      /runs in Electron/.test(error.message) &&
      /no "node" was found on PATH/.test(error.message) &&
      /`node` option/.test(error.message),
  );
});

test('an explicit node wins everywhere', () => {
  assert.equal(resolveNodeExecutable('/my/node', runtime({ electron: '37.0.0' }, '', [])), '/my/node');
  assert.equal(resolveNodeExecutable('/my/node', runtime({}, '', [])), '/my/node');
});
