/**
 * `npm run torture [-- --seed N] [--kills N] [--durability full|normal] [--db postgres]`: the kill
 * -9 torture of issue 5 §2 (test/torture/). Without --durability it runs both. Exit 1 on any
 * failure; the seed is printed so the run replays (the choices replay exactly; thread timing does
 * not). `--db postgres` runs it on a throwaway PostgreSQL server (test/helpers/postgres.ts), a
 * fresh database per run; --durability is SQLite's, so it runs once. Every incarnation is on this
 * machine (its pid is judged); other machines are the multi-process load's and lease tests' part.
 */
import { parseArgs } from 'node:util';
import { startPostgres, type PostgresServer } from '../test/helpers/postgres.js';
import { runTorture, type TortureReport } from '../test/torture/run.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    kills: { type: 'string', default: '40' },
    durability: { type: 'string' },
    'min-load-ms': { type: 'string', default: '100' },
    'max-load-ms': { type: 'string', default: '1500' },
    workers: { type: 'string', default: '4' },
    db: { type: 'string' },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const onPostgres = values.db === 'postgres';
const durabilities = values.durability ? [values.durability] : onPostgres ? ['full'] : ['full', 'normal'];
if (!Number.isInteger(seed) || durabilities.some((d) => d !== 'full' && d !== 'normal') || (values.db !== undefined && !onPostgres)) {
  process.stderr.write('usage: torture [--seed N] [--kills N] [--durability full|normal] [--db postgres]\n');
  process.exit(2);
}
const pg: PostgresServer | undefined = onPostgres ? await startPostgres() : undefined;

process.stdout.write(`torture seed ${seed} (replay: npm run torture -- --seed ${seed}${onPostgres ? ' --db postgres' : ''})\n`);
const reports: TortureReport[] = [];
for (const durability of durabilities as ('full' | 'normal')[]) {
  const report = await runTorture({
    seed,
    kills: Number(values.kills),
    durability,
    loadMs: [Number(values['min-load-ms']), Number(values['max-load-ms'])],
    workers: Number(values.workers),
    ...(pg ? { db: await pg.createDatabase() } : {}),
    log: (line) => process.stdout.write(`  [${durability}] ${line}\n`),
  });
  reports.push(report);
  process.stdout.write(
    `durability ${durability}: kills ${report.kills}, operations ${report.operations}, invariant checks passed ${report.checksPassed}, failures ${report.failures.length}\n`,
  );
  for (const failure of report.failures.slice(0, 30)) process.stdout.write(`  FAIL ${failure}\n`);
  if (report.failures.length > 0 && !pg) process.stdout.write(`  database kept at ${report.dbPath}\n`);
}
process.stdout.write(`seed ${seed}\n`);
pg?.stop();
process.exit(reports.every((r) => r.failures.length === 0) ? 0 : 1);
