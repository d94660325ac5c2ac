import { HostNotFoundError } from '../host/load.js';
import { UsageError } from './args.js';

/** A command that could not start: one stderr line (a stack only for what is not the user's doing), exit 2. */
export function fail(error: unknown): never {
  const known = error instanceof UsageError || error instanceof HostNotFoundError;
  process.stderr.write(`threadline: ${known ? (error as Error).message : (error as Error).stack ?? String(error)}\n`);
  process.exit(2);
}
