/**
 * The turn coordinator: PROTOCOL.md §4 as pure decisions (no I/O, no clock, no ids), so that
 * every row of the protocol's tables is a unit test. The orchestrator reads the state, asks
 * here, and carries the decision out in one transaction.
 */
import type { Delivery, ErrorName } from '@threadline/protocol';

export interface ThreadState {
  archived: boolean;
  runningTurnId: string | null;
  pendingCount: number;
  /** The running turn belongs to another live server process (it holds the thread's lease). */
  leasedElsewhere: boolean;
}

/** The protocol errors a decision may refuse with (rows of the error table). */
export type Rejection = Extract<ErrorName, 'ThreadArchived' | 'ThreadBusy' | 'TurnMismatch' | 'QueueFull' | 'NothingToEdit' | 'ThreadLeased'>;

export type StartTurnDecision =
  | { action: 'startNow' }
  | { action: 'enqueueAndPromoteOldest' }
  | { action: 'enqueue' }
  | { action: 'steer' }
  | { action: 'reject'; error: Rejection };

export interface StartTurnCommand {
  delivery?: Delivery;
  expectedTurnId?: string;
  hostSupportsSteer: boolean;
  maxQueued: number;
}

/** §4.1: what `thread/startTurn` does on a thread in state `s`. */
export function decideStartTurn(s: ThreadState, c: StartTurnCommand): StartTurnDecision {
  if (s.archived) return reject('ThreadArchived');
  if (c.expectedTurnId !== undefined && c.expectedTurnId !== s.runningTurnId) return reject('TurnMismatch');
  if (s.runningTurnId === null) {
    return s.pendingCount === 0 ? { action: 'startNow' } : { action: 'enqueueAndPromoteOldest' };
  }
  if (c.delivery === undefined) return reject('ThreadBusy');
  // The inbox is shared, so a queued prompt is admitted wherever the turn runs; a steer is not.
  if (c.delivery === 'steer' && s.leasedElsewhere) return reject('ThreadLeased');
  if (c.delivery === 'steer' && c.hostSupportsSteer) return { action: 'steer' };
  return s.pendingCount >= c.maxQueued ? reject('QueueFull') : { action: 'enqueue' };
}

/** A steer the engine refused (its turn was finishing) becomes a queued prompt. */
export function decideRefusedSteer(s: ThreadState, maxQueued: number): StartTurnDecision {
  return s.pendingCount >= maxQueued ? reject('QueueFull') : { action: 'enqueue' };
}

export type EditDecision = { action: 'supersede' } | { action: 'reject'; error: Rejection };

/** §4.2: `thread/editLastTurn`. */
export function decideEditLastTurn(s: ThreadState, hasUserTurn: boolean): EditDecision {
  if (s.archived) return reject('ThreadArchived');
  if (s.runningTurnId !== null) return reject(s.leasedElsewhere ? 'ThreadLeased' : 'ThreadBusy');
  if (!hasUserTurn) return reject('NothingToEdit');
  return { action: 'supersede' };
}

/** §12: `thread/compact` runs a compaction turn on an idle thread only. */
export function decideCompact(s: ThreadState): { action: 'compact' } | { action: 'reject'; error: Rejection } {
  if (s.archived) return reject('ThreadArchived');
  if (s.runningTurnId !== null) return reject(s.leasedElsewhere ? 'ThreadLeased' : 'ThreadBusy');
  return { action: 'compact' };
}

export type DrainDecision = { action: 'promoteOldest' } | { action: 'none' } | { action: 'reject'; error: Rejection };

/** §4.3: `thread/drain` promotes the oldest pending prompt of an idle thread. */
export function decideDrain(s: ThreadState): DrainDecision {
  if (s.archived) return reject('ThreadArchived');
  if (s.runningTurnId !== null && s.leasedElsewhere) return reject('ThreadLeased');
  if (s.runningTurnId !== null || s.pendingCount === 0) return { action: 'none' };
  return { action: 'promoteOldest' };
}

export type InterruptDecision = { action: 'interrupt' } | { action: 'none' } | { action: 'reject'; error: Rejection };

/** §4.4: `thread/interrupt`, optionally pinned to `turnId` (whose existence the caller checked). */
export function decideInterrupt(s: ThreadState, turnId?: string): InterruptDecision {
  if (turnId !== undefined && turnId !== s.runningTurnId) return reject('TurnMismatch');
  if (s.runningTurnId === null) return { action: 'none' };
  return s.leasedElsewhere ? reject('ThreadLeased') : { action: 'interrupt' };
}

/**
 * What follows a turn's end: queued prompts run FIFO as each turn ends, except after an
 * interrupt (the queue was cancelled, or kept for `thread/drain`) or a shutdown.
 */
export function shouldPromoteAfterEnd(
  status: 'completed' | 'failed' | 'interrupted',
  s: ThreadState,
): boolean {
  return status !== 'interrupted' && !s.archived && s.runningTurnId === null && s.pendingCount > 0;
}

function reject(error: Rejection): { action: 'reject'; error: Rejection } {
  return { action: 'reject', error };
}
