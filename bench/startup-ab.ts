// Start-up A/B (issue 17, row 1): spawn → `initialize` answered and → first `thread/list` answered,
// wall time and the child's main-thread CPU (/proc/PID/schedstat, first field, read right after
// each answer; the last column sums every thread's), for several ways of starting a server,
// spawned in turn so drift hits all alike.
// On a shared machine the CPU columns are the robust ones. Linux only (schedstat).
//   npm run build && node --conditions=@threadline/source --import tsx bench/startup-ab.ts [runs] [variant...]
// Variants (default: bare bin): bare (bench/baselines/bare-server), bin (bin/threadline serve),
// snap (the prototype start-up snapshot: `node scripts/snapshot/build.mjs` first), blob=<path> (another
// blob), node=<arg,arg,...> (this Node with these arguments before serve's), bin=<path> (another
// build's bin/threadline). Each Threadline variant opens its own database, created by an
// uncounted first start. Medians resolve a few ms at best on a shared VM; the paired CPU
// differences printed last (each start against the first Threadline variant's start of the same
// round) resolve a few tenths of a ms.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBaselines } from './lib/build.js';
import { BASELINES_DIST, BIN, REPO } from './lib/paths.js';
import { spawnProcess, unlessCrashed } from './lib/peer.js';
import { median } from './lib/stats.js';

interface Sample { init: number; list: number; initCpu: number; listCpu: number; listCpuAll: number }
type Command = (db: string) => [string, string[]];

const SERVE = (db: string) => ['serve', '--db', db, '--durability', 'full', '--log-level', 'warn'];
export const VARIANTS: Record<string, Command> = {
  bare: () => [process.execPath, [join(BASELINES_DIST, 'bare-server.cjs')]],
  bin: (db) => [process.execPath, [BIN, ...SERVE(db)]],
  snap: (db) => [process.execPath, ['--snapshot-blob', join(REPO, 'dist/snapshot/serve.blob'), ...SERVE(db)]],
};
/**
 * `blob=<path>`: a snapshot blob run by this Node; `node=<a,b,...>`: this Node with these arguments,
 * then serve's; `bin=<path>`: another build's bin/threadline (e.g. a `git worktree` of the commit
 * to compare with, after its `npm run build`).
 */
const variant = (name: string): Command => {
  if (VARIANTS[name]) return VARIANTS[name];
  if (name.startsWith('blob=')) return (db) => [process.execPath, ['--snapshot-blob', name.slice(5), ...SERVE(db)]];
  if (name.startsWith('bin=')) return (db) => [process.execPath, [name.slice(4), ...SERVE(db)]];
  if (name.startsWith('node=')) return (db) => [process.execPath, [...name.slice(5).split(','), ...SERVE(db)]];
  throw new Error(`unknown variant ${name}`);
};

const cpuMs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
/** Every thread's CPU (V8's compiler and GC helpers too, which compete for the cores a loaded machine lacks). */
const cpuAllMs = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      return sum; // a thread that ended between the listing and the read
    }
  }, 0);

/**
 * One start: initialize sent at spawn, thread/list once it is answered (as an IDE does), then
 * shutdown + exit; through the bench's own client (lib/peer.ts), as row 1 drives it.
 */
async function once(command: Command, db: string, list: boolean): Promise<Sample> {
  const [file, args] = command(db);
  const start = performance.now();
  const peer = spawnProcess(file, args);
  const what = `${file} ${args.join(' ')}`;
  peer.connection.listen();
  const sample: Sample = { init: NaN, list: NaN, initCpu: NaN, listCpu: NaN, listCpuAll: NaN };
  await unlessCrashed(peer, what, peer.connection.sendRequest('initialize', { protocolVersion: 1, clientInfo: { name: 'startup-ab' } }));
  sample.init = performance.now() - start;
  sample.initCpu = cpuMs(peer.pid);
  if (list) {
    await unlessCrashed(peer, what, peer.connection.sendRequest('thread/list', {}));
    sample.list = performance.now() - start;
    sample.listCpu = cpuMs(peer.pid);
    sample.listCpuAll = cpuAllMs(peer.pid);
  }
  await unlessCrashed(peer, what, peer.connection.sendRequest('shutdown'));
  await peer.connection.sendNotification('exit');
  await peer.exited;
  peer.connection.dispose();
  return sample;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 20);
  const names = process.argv.length > 3 ? process.argv.slice(3) : ['bare', 'bin'];
  await buildBaselines();
  const dir = mkdtempSync(join(tmpdir(), 'startup-ab-'));
  const dbs = Object.fromEntries(names.map((n, i) => [n, join(dir, `${i}.db`)]));
  const samples: Record<string, Sample[]> = Object.fromEntries(names.map((n) => [n, []]));
  const loads: number[] = [loadavg()[0]!];
  try {
    for (const n of names) await once(variant(n), dbs[n]!, n !== 'bare'); // creates each database; not counted
    for (let i = 0; i < runs; i++) {
      // Rotate the order too, so no variant always runs right after the same one.
      for (let j = 0; j < names.length; j++) {
        const n = names[(i + j) % names.length]!;
        samples[n]!.push(await once(variant(n), dbs[n]!, n !== 'bare'));
      }
      loads.push(loadavg()[0]!);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = samples[names[0]!]!;
  const m = (s: Sample[], k: keyof Sample) => median(s.map((x) => x[k]));
  console.log(`node ${process.version}, ${runs} runs, load (1 min) ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}; ratios against ${names[0]}'s initialize`);
  console.log('| variant | wall → initialize | wall → thread/list | CPU → initialize | CPU → thread/list | all threads\' CPU → thread/list |');
  console.log('|---|--:|--:|--:|--:|--:|');
  for (const n of names) {
    const s = samples[n]!;
    const cell = (k: keyof Sample, b: keyof Sample) => (Number.isNaN(m(s, k)) ? '—' : `${m(s, k).toFixed(1)} ms (${(m(s, k) / m(base, b)).toFixed(2)}×)`);
    console.log(`| ${n} | ${cell('init', 'init')} | ${cell('list', 'init')} | ${cell('initCpu', 'initCpu')} | ${cell('listCpu', 'initCpu')} | ${cell('listCpuAll', 'initCpu')} |`);
  }
  const threadline = names.filter((n) => n !== 'bare');
  for (const n of threadline.slice(1)) {
    const paired = (k: keyof Sample) => {
      const d = samples[n]!.map((x, i) => x[k] - samples[threadline[0]!]![i]![k]);
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      const se = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1) / d.length);
      return `${mean >= 0 ? '+' : ''}${mean.toFixed(2)} ± ${se.toFixed(2)} ms`;
    };
    console.log(`${n} − ${threadline[0]} (paired, mean ± standard error): CPU → initialize ${paired('initCpu')}, all threads' CPU → thread/list ${paired('listCpuAll')}`);
  }
}

await main();
