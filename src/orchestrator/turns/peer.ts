import type { ApprovalAnswer, ApprovalRequestParams } from '@threadline/protocol';
import type { InputBacklog } from '../commit/group-commit.js';

/** The client side of an approval: asks the person, resolves with their answer (a rule-making one too). */
export type ApprovalClient = (params: ApprovalRequestParams, signal: AbortSignal) => Promise<ApprovalAnswer>;

/**
 * The front-end connection an operation came from, passed with each call (never set on the
 * orchestrator: with two front ends in one process, the last setter would win). A turn keeps the
 * peer that started it, and asks that peer's client for its approvals.
 */
export interface Peer {
  /** Present when the client takes approval requests; without it, a turn's autoApprove decides. */
  readonly approvals?: ApprovalClient;
  /** Requests received from this connection and not yet dispatched (group commit waits for them). */
  readonly inputBacklog: InputBacklog;
}

/** A caller with no connection (start-up, tests): no approvals, nothing queued behind it. */
export const NO_PEER: Peer = { inputBacklog: () => 0 };
