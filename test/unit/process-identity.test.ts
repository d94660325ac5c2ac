import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  isProcessAlive,
  judgeProcess,
  ownHostname, ownMachineId,
  ownPidNamespace,
  ownProcessKey,
  processKeyOf,
  type RecordedProcess,
} from '../../src/orchestrator/ownership/process-identity.js';

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

// Issue 10 §7a: a pid is judged only where it means what it meant to the process that recorded it.
const self = (): RecordedProcess => ({
  pid: process.pid,
  hostname: ownHostname(),
  processKey: ownProcessKey(),
  pidNamespace: ownPidNamespace(),
  machineId: ownMachineId(),
});

test('judgeProcess: this process, recorded from here, is alive; a reused pid and an exited process are gone', async () => {
  assert.notEqual(ownPidNamespace(), null, 'this test needs a /proc of its own PID namespace');
  assert.equal(judgeProcess(self()), 'alive');
  const [boot, start] = ownProcessKey().split(':');
  assert.equal(judgeProcess({ ...self(), processKey: `${boot}:${Number(start) - 1}` }), 'gone');
  const child = spawn(process.execPath, ['-e', '0']);
  const key = processKeyOf(child.pid!) ?? `${boot}:0`;
  await new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(judgeProcess({ ...self(), pid: child.pid!, processKey: key }), 'gone');
});

test('judgeProcess: a process in another PID namespace, on another host or boot, or recorded before namespaces were (null), cannot be judged by its pid', async () => {
  const child = spawn(process.execPath, ['-e', '0']);
  const gone = { ...self(), pid: child.pid!, processKey: processKeyOf(child.pid!) ?? `${ownProcessKey().split(':')[0]}:0` };
  await new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(judgeProcess({ ...gone, pidNamespace: 'pidns:0:1' }), 'unknown');
  assert.equal(judgeProcess({ ...gone, pidNamespace: null }), 'unknown');
  assert.equal(judgeProcess({ ...gone, hostname: `${ownHostname()}-elsewhere` }), 'unknown');
  assert.equal(judgeProcess({ ...gone, machineId: `${ownMachineId()}-elsewhere` }), 'unknown', 'another machine identity');
  assert.equal(judgeProcess({ ...gone, machineId: null }), 'gone', 'a row from before machine ids: judged by host name');
  assert.equal(judgeProcess({ ...gone, processKey: `another-boot:${gone.processKey.split(':')[1]}` }), 'unknown');
  for (const pid of [0, -1, 1.5]) assert.equal(judgeProcess({ ...gone, pid }), 'unknown', `pid ${pid}`);
});

const UNSHARE = ['unshare', '--pid', '--fork', '--user', '--map-root-user'];
const unshareWorks = spawnSync(UNSHARE[0]!, [...UNSHARE.slice(1), 'true']).status === 0;
const IDENTITY = fileURLToPath(new URL('../../src/orchestrator/ownership/process-identity.ts', import.meta.url));

/** ownPidNamespace() of a node process run under `wrapper` (an unshare command line). */
function namespaceUnder(wrapper: string[]): string | null {
  const script = `const m = await import(${JSON.stringify(IDENTITY)}); process.stdout.write(JSON.stringify(m.ownPidNamespace()));`;
  const run = spawnSync(wrapper[0]!, [...wrapper.slice(1), process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string | null;
}

test('ownPidNamespace: a new PID namespace with its own /proc is another namespace; one that still sees the outer /proc records none', { skip: unshareWorks ? false : 'unshare cannot create a PID namespace here' }, () => {
  const inner = namespaceUnder([...UNSHARE, '--mount-proc']);
  assert.ok(inner !== null && inner !== ownPidNamespace(), `inner namespace ${inner}`);
  assert.equal(namespaceUnder(UNSHARE), null);
});
