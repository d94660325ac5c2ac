import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS = 100;
const SAMPLE_MS = 100;
const LIST_QUERIES = process.env.FLEET_QUERIES === '1';

/**
 * Where row 15's time goes while it measures: CPU seconds of each server process, of the bench
 * (this process: the clients) and of the Postgres server (every process of its postmaster); what
 * the database's backends wait on (pg_stat_activity, sampled every 100 ms); ungranted locks
 * (pg_locks); deadlocks (pg_stat_database). Linux only; on failure it reports nothing.
 * FLEET_QUERIES=1 also lists, on stderr, the statements busy or idle-in-transaction backends were
 * at, and what blocked them (how the lease heartbeat's convoy was found).
 */
export async function sampleFleet(db: string, serverPids: number[]): Promise<() => Promise<string | undefined>> {
  const client = new pg.Client({ connectionString: db });
  try {
    await client.connect();
  } catch {
    return async () => undefined;
  }
  const datname = new URL(db).pathname.slice(1);
  let postmaster: number | undefined;
  try {
    const { rows } = await client.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
    postmaster = Number(readFileSync(join(rows[0]!.setting, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    postmaster = undefined;
  }
  const postgresPids = () => (postmaster === undefined ? [] : [postmaster, ...childrenOf(postmaster)]);
  const deadlocks = async () =>
    Number((await client.query<{ n: string }>('SELECT deadlocks AS n FROM pg_stat_database WHERE datname = $1', [datname])).rows[0]?.n ?? 0);

  const cpuBefore = { servers: serverPids.map(cpuSeconds), postgres: sum(postgresPids().map(cpuSeconds)), bench: process.cpuUsage() };
  const deadlocksBefore = await deadlocks();
  const started = performance.now();
  const waits = new Map<string, number>();
  const queries = new Map<string, number>();
  let samples = 0;
  let ungranted = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ state: string | null; wait: string | null; blocked: string; query: string; blocker: string | null }>(
        `SELECT a.state, a.wait_event_type || ':' || a.wait_event AS wait, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 70) AS query,
          (SELECT left(regexp_replace(b.query, '\\s+', ' ', 'g'), 70) || ' [' || b.state || ']' FROM pg_stat_activity b WHERE b.pid = (pg_blocking_pids(a.pid))[1]) AS blocker,
          (SELECT count(*) FROM pg_locks l WHERE NOT l.granted AND l.pid = a.pid) AS blocked
        FROM pg_stat_activity a WHERE a.datname = $1 AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'`,
        [datname],
      );
      samples++;
      for (const r of rows) {
        const key = r.state === 'active' ? (r.wait ?? 'active:CPU') : r.state === 'idle in transaction' ? `idle in tx${r.wait ? ` (${r.wait})` : ''}` : undefined;
        if (key) waits.set(key, (waits.get(key) ?? 0) + 1);
        if (LIST_QUERIES && key) {
          const what = `${key} | ${r.query}${r.blocker ? ` | blocked by ${r.blocker}` : ''}`;
          queries.set(what, (queries.get(what) ?? 0) + 1);
        }
        ungranted += Number(r.blocked);
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })().catch(() => undefined);

  return async () => {
    stopped = true;
    await loop;
    const seconds = (performance.now() - started) / 1000;
    const servers = serverPids.map((pid, i) => cpuSeconds(pid) - cpuBefore.servers[i]!);
    const postgres = sum(postgresPids().map(cpuSeconds)) - cpuBefore.postgres;
    const benchUsage = process.cpuUsage(cpuBefore.bench);
    const bench = (benchUsage.user + benchUsage.system) / 1e6;
    const lost = (await deadlocks()) - deadlocksBefore;
    await client.end();
    if (LIST_QUERIES) for (const [q, n] of [...queries].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.error(`   ${(n / samples).toFixed(2)} ${q}`);
    const share = (cpu: number) => `${((cpu / seconds) * 100).toFixed(0)}%`;
    const top = [...waits].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, n]) => `${k} ${(n / samples).toFixed(2)}`);
    return (
      `CPU over ${seconds.toFixed(1)} s (100% = one core): servers ${servers.map(share).join(', ')}, postgres ${share(postgres)}, bench client ${share(bench)}, ` +
      `total ${share(sum(servers) + postgres + bench)}; backends per sample: ${top.join(', ') || 'none busy'}; ungranted locks per sample ${(ungranted / Math.max(1, samples)).toFixed(2)}; deadlocks ${lost}`
    );
  };
}

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
