// The Python client (clients/python) against the built server: its unittest suite and its
// quick-start example, run with the machine's python3 exactly as a harness author would.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN } from '../helpers/server.js';

const PYTHON_DIR = fileURLToPath(new URL('../../clients/python/', import.meta.url));
const python = process.env.PYTHON ?? 'python3';
const hasPython = spawnSync(python, ['--version']).status === 0;

function runPython(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(python, args, {
    cwd: PYTHON_DIR,
    env: { ...process.env, THREADLINE_BIN: BIN, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

test('the Python client passes its unittest suite against the built server', { skip: !hasPython && `${python} not found`, timeout: 120_000 }, async (t) => {
  const { code, output } = await runPython(['-m', 'unittest', 'discover', '-s', 'tests', '-v']);
  t.diagnostic(output);
  assert.equal(code, 0, output);
  assert.match(output, /^OK/m);
});

test('the Python quick-start example runs', { skip: !hasPython && `${python} not found`, timeout: 60_000 }, async (t) => {
  const { code, output } = await runPython(['examples/quickstart.py']);
  t.diagnostic(output);
  assert.equal(code, 0, output);
  assert.match(output, /reply: .*echo\[1\]: hello from python/s);
  assert.match(output, /busy as expected: -32010/);
  assert.match(output, /server exited with 0/);
});
