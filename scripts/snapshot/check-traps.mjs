// What a Node start-up snapshot freezes, and how a bad blob fails, on this Node (README, row 1):
//   node scripts/snapshot/check-traps.mjs
// Builds a tiny blob whose build-time code draws random numbers and reads the process, starts two
// processes from it (each with its own env, cwd and TZ), and prints which values came out equal in both; then starts it with a V8
// flag it was not built with, and from a truncated copy.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'snapshot-traps-'));
const probe = `({ uuid: crypto.randomUUID(), webUuid: globalThis.crypto.randomUUID(), getRandomValues: Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(8))).toString('hex'), mathRandom: Math.random(), env: process.env.TRAP, pid: process.pid, cwd: process.cwd(), timezoneOffset: new Date(2026, 0, 1).getTimezoneOffset() })`;
writeFileSync(
  join(dir, 'entry.js'),
  `const crypto = require('node:crypto');
const atBuild = ${probe};
require('node:v8').startupSnapshot.setDeserializeMainFunction(() => console.log(JSON.stringify({ atBuild, atRun: ${probe}, argv: process.argv })));
`,
);
const blob = join(dir, 'traps.blob');
try {
  execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', join(dir, 'entry.js')], { env: { ...process.env, TRAP: 'build', TZ: 'UTC' }, stdio: 'ignore' });
  const run = (i) => JSON.parse(execFileSync(process.execPath, ['--snapshot-blob', blob, 'a', 'b'], { cwd: i === 1 ? tmpdir() : dir, env: { ...process.env, TRAP: `run ${i}`, TZ: i === 1 ? 'Asia/Tokyo' : 'America/New_York' }, encoding: 'utf8' }));
  const [one, two] = [run(1), run(2)];
  console.log(`node ${process.version}; argv in the deserialize main: ${JSON.stringify(one.argv)}`);
  for (const key of Object.keys(one.atRun)) {
    const same = one.atRun[key] === two.atRun[key];
    const frozen = one.atRun[key] === one.atBuild[key];
    console.log(`${key.padEnd(16)} two runs ${same ? 'EQUAL' : 'differ'}${frozen ? ', equal to the build-time value' : ''} (${one.atRun[key]} / ${two.atRun[key]})`);
  }
  const failing = (args, env = process.env) => {
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    return `exit ${r.status ?? r.signal}: ${(r.stderr.split('\n')[0] || '(no message)').slice(0, 120)}`;
  };
  console.log(`NODE_OPTIONS=--max-old-space-size=512 → ${failing(['--snapshot-blob', blob], { ...process.env, NODE_OPTIONS: '--max-old-space-size=512' })}`);
  writeFileSync(join(dir, 'truncated.blob'), readFileSync(blob).subarray(0, 100_000));
  console.log(`truncated blob → ${failing(['--snapshot-blob', join(dir, 'truncated.blob')])}`);
  console.log(`missing blob → ${failing(['--snapshot-blob', join(dir, 'missing.blob')])}`);
  const leak = spawnSync(process.execPath, ['-e', 'console.log("the -e script ran")'], { env: { ...process.env, NODE_OPTIONS: `--snapshot-blob ${blob}` }, encoding: 'utf8' });
  console.log(`NODE_OPTIONS=--snapshot-blob, then node -e → ${leak.stdout.includes('the -e script ran') ? 'the -e script ran' : "the snapshot's main ran instead of the -e script"}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
