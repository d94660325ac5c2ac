import { join } from 'node:path';
import type { BenchPostgres } from './postgres.js';

/** What every row gets: the run's mode and a scratch directory. */
export interface BenchContext {
  quick: boolean;
  /** Run the server under `--cpu-prof` (profiles in bench/profiles/<row>.cpuprofile). */
  profile: boolean;
  tmp: string;
  /** `--db postgres[://…]`: the servers run on Postgres (rows that support it), else on SQLite files. */
  postgres?: BenchPostgres;
  log(message: string): void;
}

export function dbPath(ctx: BenchContext, name: string): string {
  return join(ctx.tmp, `${name}.db`);
}

/** A fresh store for one server of a row: a database of the run's Postgres, or a SQLite file. */
export async function serverDb(ctx: BenchContext, name: string): Promise<string> {
  return ctx.postgres ? ctx.postgres.database(name) : dbPath(ctx, name);
}

/** The profile name for a server of `row`, or undefined when not profiling. */
export function profileName(ctx: BenchContext, row: string): string | undefined {
  return ctx.profile ? `${row}${ctx.postgres ? '-pg' : ''}${ctx.quick ? '-quick' : ''}` : undefined;
}
