import { join } from 'node:path';

/** What every row gets: the run's mode and a scratch directory. */
export interface BenchContext {
  quick: boolean;
  /** Run the server under `--cpu-prof` (profiles in bench/profiles/<row>.cpuprofile). */
  profile: boolean;
  tmp: string;
  log(message: string): void;
}

export function dbPath(ctx: BenchContext, name: string): string {
  return join(ctx.tmp, `${name}.db`);
}

/** The profile name for a server of `row`, or undefined when not profiling. */
export function profileName(ctx: BenchContext, row: string): string | undefined {
  return ctx.profile ? `${row}${ctx.quick ? '-quick' : ''}` : undefined;
}
