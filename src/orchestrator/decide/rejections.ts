import {
  NothingToEditError,
  QueueFullError,
  ThreadArchivedError,
  ThreadBusyError,
  ThreadLeasedError,
  TurnMismatchError,
  type Thread,
} from '@threadline/protocol';
import type { Rejection } from './coordinator.js';
import type { LeaseHolder } from './lease-holder.js';

/** The typed error for a coordinator's rejection, with the ids and facts its `data` names. */
export function rejectionError(error: Rejection, thread: Thread, holder: LeaseHolder, maxQueued: number, expectedTurnId?: string): Error {
  const running = thread.status === 'running' ? (thread.latestTurnId ?? null) : null;
  switch (error) {
    case 'ThreadLeased':
      if (holder.kind !== 'live') throw new Error('ThreadLeased without a live holder');
      return new ThreadLeasedError(thread.id, holder.ownerPid, holder.expiresAt);
    case 'ThreadArchived':
      return new ThreadArchivedError(thread.id);
    case 'ThreadBusy':
      return new ThreadBusyError(thread.id, running ?? undefined);
    case 'TurnMismatch':
      return new TurnMismatchError(thread.id, expectedTurnId ?? '', running);
    case 'QueueFull':
      return new QueueFullError(thread.id, maxQueued);
    case 'NothingToEdit':
      return new NothingToEditError(thread.id);
  }
}

