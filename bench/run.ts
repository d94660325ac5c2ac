// `npm run bench [-- --quick] [--only 2,5] [--profile] [--db postgres|postgres://…]`: the table of
// issue 6, every figure a ratio against a raw baseline measured in the same run. Writes
// bench/results.json. Exits 0 whatever the ratios are; 1 when a row crashed (a crash is never a
// figure). `--db postgres` starts a throwaway PostgreSQL (as the tests do) and runs the rows that
// are about the store's writes on it (2-5, 15: issue 16); a URL uses that server instead (its
// role must be allowed to CREATE DATABASE: every server gets a database of its own).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBaselines } from './lib/build.js';
import type { BenchContext } from './lib/context.js';
import { formatSelfTime, topSelfTime } from './lib/cpu-profile.js';
import { PROFILES, RESULTS } from './lib/paths.js';
import { openBenchPostgres } from './lib/postgres.js';
import { formatTable, type Row } from './lib/results.js';
import { measureAcpRoundTrip } from './rows/acp-round-trip.js';
import { measureFleet } from './rows/fleet.js';
import { measureFork } from './rows/fork.js';
import { measurePipelinedAdmissions } from './rows/admissions-pipelined.js';
import { measureSequentialAdmissions } from './rows/admissions-sequential.js';
import { measureIdleTurns } from './rows/idle-turns.js';
import { measureMcpRoundTrip } from './rows/mcp-round-trip.js';
import { measureReplay } from './rows/replay-events.js';
import { measureRss } from './rows/rss.js';
import { measureScaleReads } from './rows/scale-reads.js';
import { measureSearch } from './rows/search.js';
import { measureSpawnInitialize } from './rows/spawn-initialize.js';
import { measureStartupRecovery } from './rows/startup-recovery.js';
import { measureStreamedEvents } from './rows/streamed-events.js';
import { measureTurnsPaging } from './rows/turns-paging.js';

const ROWS: [number, (ctx: BenchContext) => Promise<Row[]>][] = [
  [1, measureSpawnInitialize],
  [2, measureSequentialAdmissions],
  [3, measureIdleTurns],
  [4, measurePipelinedAdmissions],
  [5, measureStreamedEvents],
  [6, measureReplay],
  [7, measureScaleReads],
  [8, measureRss],
  [9, measureStartupRecovery],
  [10, measureMcpRoundTrip],
  [11, measureAcpRoundTrip],
  [12, measureFork],
  [13, measureSearch],
  [14, measureTurnsPaging],
];
/** The rows run with `--db postgres`: the store's writes (row 15 exists only there). */
const POSTGRES_ROWS: [number, (ctx: BenchContext) => Promise<Row[]>][] = [
  [2, measureSequentialAdmissions],
  [3, measureIdleTurns],
  [4, measurePipelinedAdmissions],
  [5, measureStreamedEvents],
  [15, measureFleet],
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
    db: { type: 'string' },
  },
});
if (values.db !== undefined && values.db !== 'postgres' && !/^postgres(ql)?:\/\//.test(values.db)) {
  process.stderr.write(`bench: --db takes postgres or a postgres:// URL, not ${values.db}\n`);
  process.exit(2);
}
const only = values.only?.split(',').map(Number);
const tmp = mkdtempSync(join(tmpdir(), 'threadline-bench-'));
const ctx: BenchContext = {
  quick: values.quick ?? false,
  profile: values.profile ?? false,
  tmp,
  postgres: values.db === undefined ? undefined : await openBenchPostgres(values.db),
  log: (message) => process.stderr.write(`  ${message}\n`),
};

// A hung row must fail CI rather than stall it: the whole run has a deadline.
const deadlineMs = (ctx.quick ? 5 : 15) * 60_000;
setTimeout(() => {
  process.stderr.write(`bench: still running after ${deadlineMs / 60_000} min; giving up\n`);
  process.exit(1);
}, deadlineMs).unref();

const began = performance.now();
const rows: Row[] = [];
const crashes: string[] = [];
if (ctx.profile) rmSync(PROFILES, { recursive: true, force: true }); // only this run's profiles
try {
  await buildBaselines();
  for (const [n, measure] of ctx.postgres ? POSTGRES_ROWS : ROWS) {
    if (only && !only.includes(n)) continue;
    const start = performance.now();
    process.stderr.write(`row ${n}…\n`);
    try {
      rows.push(...(await measure(ctx)));
    } catch (error) {
      crashes.push(`row ${n}: ${(error as Error).stack ?? String(error)}`);
    }
    process.stderr.write(`  (${((performance.now() - start) / 1000).toFixed(1)} s)\n`);
  }
} finally {
  await ctx.postgres?.close();
  rmSync(tmp, { recursive: true, force: true });
}

const mode = `${ctx.quick ? 'quick' : 'full'}${ctx.postgres ? ', Postgres' : ''}`;
// Figures differ between Node.js majors (V8, libuv, the addon's build): every run says which.
const node = `Node.js ${process.version} ${process.platform}-${process.arch}`;
process.stdout.write(`\nThreadline bench (${mode}${ctx.profile ? ', profiled' : ''}) on ${node}, ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
if (ctx.postgres) process.stdout.write(`on ${ctx.postgres.where}\n`);
process.stdout.write('\n');
process.stdout.write(`${formatTable(rows)}\n`);
const results = { node: process.version, platform: `${process.platform}-${process.arch}`, mode, rows };
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\n${rows.filter((r) => r.pass).length}/${rows.length} figures meet their goal; written to bench/results.json\n`);
if (ctx.profile) {
  for (const file of readdirSync(PROFILES).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    process.stdout.write(`\n${formatSelfTime(file, topSelfTime(join(PROFILES, file)))}\n`);
  }
}
if (crashes.length > 0) {
  process.stderr.write(`\n${crashes.length} row(s) crashed:\n${crashes.join('\n\n')}\n`);
  process.exit(1);
}
