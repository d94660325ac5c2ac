import type { Thread, Turn } from '@threadline/protocol';
import type { Tx } from '../commit/tx.js';
import type { LeaseOwner } from '../ownership/lease-owner.js';
import { beginCompaction } from './steps.js';

/**
 * `--auto-compact-at FRACTION`: when a thread's latest context usage (`thread.contextUsage`, the
 * `context.usage` of its last model call) reaches that share of the model's window, the next turn
 * is preceded by a compaction turn (kind `compaction`, its inputSummary saying why). The prompt
 * waits in the queue and runs when the compaction ends, however it ends. Never two in a row: after
 * a compaction (completed: usage is unknown again; failed or interrupted: the latest turn is that
 * compaction) the next prompt runs, and only a new model call can trigger another.
 */
export async function beginAutoCompaction(tx: Tx, leases: LeaseOwner, thread: Thread, at: number | undefined): Promise<Turn | undefined> {
  if (at === undefined || !(await autoCompactionDue(tx, thread, at))) return undefined;
  const usage = thread.contextUsage!;
  const size = usage.size!;
  const percent = Math.round((usage.used / size) * 100);
  const why = `Automatic compaction: context at ${percent}% (${usage.used} of ${size} tokens; --auto-compact-at ${at})`;
  return await beginCompaction(tx, thread.id, why, await leases.grant(tx));
}

/** The thread's context reached `at` of a known window, and its latest turn was not a compaction. */
export async function autoCompactionDue(tx: Tx, thread: Thread, at: number | undefined): Promise<boolean> {
  const usage = thread.contextUsage;
  if (at === undefined || !usage || usage.size === null || usage.used < at * usage.size) return false;
  return !(thread.latestTurnId && (await tx.turns.find(thread.latestTurnId))?.kind === 'compaction');
}
