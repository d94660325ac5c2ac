import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { isProcessAlive, ownProcessKey, processKeyOf } from '../../src/orchestrator/process-identity.js';

test('a live process is recognized by its pid and the key it recorded', () => {
  assert.equal(isProcessAlive(process.pid, ownProcessKey()), true);
  assert.equal(processKeyOf(process.pid), ownProcessKey());
});

test('the same pid with another start time (a reused pid) is not the process that recorded it', () => {
  const [boot, start] = ownProcessKey().split(':');
  assert.equal(isProcessAlive(process.pid, `${boot}:${Number(start) - 1}`), false);
  assert.equal(isProcessAlive(process.pid, `another-boot:${start}`), false);
});

test('a process that exited is not alive', async () => {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  const key = processKeyOf(pid) ?? 'gone-already';
  await new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve) => setImmediate(resolve)); // reaped: no zombie left
  assert.equal(isProcessAlive(pid, key), false);
});
