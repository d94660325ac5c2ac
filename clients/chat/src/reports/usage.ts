import type { ResultOf } from '@threadline/protocol';
import { UsageError } from '../args.js';
import { colourWanted, displayWidth, makeStyle } from '../view/style.js';
import { parseFlags, withServer } from './one-shot.js';

export const USAGE_HELP = `threadline usage — what the turns used, per day, model or thread (usage/report)

Usage:
  threadline usage [--db PATH] [--by day|model|thread] [--since ISO] [--until ISO] [--thread ID] [--json]

  --db       the database: a SQLite file or a postgres:// URL (default: threadline serve's)
  --by       group by the UTC day (default), the model each turn ran with, or the thread
  --since    only turns created at or after this ISO-8601 time (e.g. 2026-11-01T00:00:00Z)
  --until    only turns created at or before this time
  --thread   one thread only
  --json     the report as JSON
  --help     this text

A bar per row shows its cost (or its tokens when no turn had a price). The database is read
through \`threadline serve --read-only\`: nothing is written and no server is blocked.
`;

type Bucket = ResultOf<'usage/report'>['buckets'][number];

export async function usage(args: string[]): Promise<number> {
  const { flags, positional } = parseFlags(args, { '--db': 'value', '--by': 'value', '--since': 'value', '--until': 'value', '--thread': 'value', '--json': 'switch', '--help': 'switch' }, 'threadline usage --help');
  if (flags['--help']) {
    process.stdout.write(USAGE_HELP);
    return 0;
  }
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}" (try: threadline usage --help)`);
  const by = (flags['--by'] ?? 'day') as string;
  if (by !== 'day' && by !== 'model' && by !== 'thread') throw new UsageError(`--by must be day, model or thread, not "${by}"`);
  const params = {
    groupBy: by,
    ...(typeof flags['--since'] === 'string' ? { since: flags['--since'] } : {}),
    ...(typeof flags['--until'] === 'string' ? { until: flags['--until'] } : {}),
    ...(typeof flags['--thread'] === 'string' ? { threadId: flags['--thread'] } : {}),
  } as const;
  const db = typeof flags['--db'] === 'string' ? flags['--db'] : undefined;
  const report = await withServer({ db }, true, async (client) => {
    try {
      return await client.request('usage/report', params);
    } catch (error) {
      throw new UsageError((error as Error).message); // a bad --since/--until or an unknown thread: one line
    }
  });
  if (flags['--json']) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else for (const line of usageTable(report.buckets, report.total, colourWanted(process.stdout))) process.stdout.write(`${line}\n`);
  return 0;
}

const BAR_WIDTH = 24;

/** The report as a table with a bar per bucket: cost when any turn had a price, else tokens. */
export function usageTable(buckets: readonly Bucket[], total: Bucket, colour: boolean): string[] {
  const s = makeStyle(colour);
  if (buckets.length === 0) return ['no turns in that range'];
  const byCost = buckets.some((b) => b.costUsd !== null);
  const measure = (b: Bucket) => (byCost ? (b.costUsd ?? 0) : b.inputTokens + b.outputTokens);
  const most = Math.max(...buckets.map(measure), Number.MIN_VALUE);
  const rows = [...buckets, total].map((b) => [
    b.key,
    String(b.turns),
    b.inputTokens.toLocaleString('en-US'),
    b.cachedInputTokens.toLocaleString('en-US'),
    b.outputTokens.toLocaleString('en-US'),
    b.costUsd === null ? '—' : `$${b.costUsd.toFixed(4)}`,
    b.cacheHitRate === null ? '—' : `${Math.round(b.cacheHitRate * 100)}%`,
  ]);
  const head = ['KEY', 'TURNS', 'INPUT', 'CACHED', 'OUTPUT', 'COST', 'CACHE HIT'];
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]!))));
  const cell = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const lines = [s.bold(cell(head))];
  rows.forEach((r, i) => {
    const bucket = i < buckets.length ? buckets[i]! : undefined;
    const bar = bucket ? s.cyan('█'.repeat(Math.max(measure(bucket) > 0 ? 1 : 0, Math.round((measure(bucket) / most) * BAR_WIDTH)))) : '';
    lines.push(bucket ? `${cell(r)}  ${bar}` : s.bold(cell(r)));
  });
  lines.push(s.dim(`bars: ${byCost ? 'cost' : 'input + output tokens'} per ${buckets.length === 1 ? 'row' : 'row, relative to the largest'}`));
  return lines;
}
