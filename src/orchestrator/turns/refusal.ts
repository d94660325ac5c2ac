import { storeFailure } from '../../store/store-errors.js';
import { messageOf } from '../engines/host-guard.js';
import type { TurnOutcome } from './steps.js';

/** How often the end of a turn the database refused for a passing cause (busy, full, restarting) is tried again. */
export const END_RETRY_MS = 1000;

/**
 * How often a turn's end is tried again once the database refused even the smallest end (no
 * pending writes, open items with the text the log holds) for good. Only someone changing the
 * database (dropping a trigger, fixing a constraint) can make it succeed: a try a minute ends the
 * turn within a minute of that, and costs nothing meanwhile; a try a second would fill the log
 * and load the database for nothing.
 */
export const REFUSED_END_RETRY_MS = 60_000;

/** `error` as a person reads it: the database's code and message when the store raised it. */
export function describeRefusal(error: unknown): string {
  const failure = storeFailure(error);
  return failure ? `${failure.code}: ${failure.message}` : messageOf(error);
}

/** What refused the turn's output: the database, or (no store failure) a bug of ours on the way to it. */
function refusalOf(error: unknown): string {
  return storeFailure(error)
    ? `storage error: the database refused the turn's output for good (${describeRefusal(error)})`
    : `internal error: the turn's output could not be stored (${describeRefusal(error)})`;
}

/**
 * How a turn ends whose output the database refused for good (`dropped` pending writes given up):
 * failed, saying so — or still `interrupted` when it was being interrupted (the server shutting
 * down, a client's interrupt): an interrupted turn's queue stays put, a failed one's goes on.
 */
export function refusedOutcome(wanted: TurnOutcome, error: unknown, dropped: number): TurnOutcome {
  const writes = dropped === 1 ? '1 pending write was' : `${dropped} pending writes were`;
  let message = `${refusalOf(error)}; ${writes} dropped`;
  // Why the turn was ending, unless that was this very refusal (a flush the database refused).
  if (wanted.error !== undefined && !wanted.error.startsWith('storage error:')) message += `; the turn was ending: ${wanted.error}`;
  return { ...wanted, status: wanted.status === 'interrupted' ? 'interrupted' : 'failed', error: message };
}
