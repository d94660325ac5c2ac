import type { Usage } from '@threadline/protocol';
import type { GuardedEngine } from './host-guard.js';

/** An item the engine opened, under the engine's own key. */
export interface OpenItem {
  itemId: string;
  text: string;
}

/** In-memory state of a running turn; the database holds the truth, this holds the live parts. */
export interface ActiveTurn {
  readonly threadId: string;
  readonly turnId: string;
  readonly abort: AbortController;
  readonly autoApprove: boolean;
  engine?: GuardedEngine;
  /** Set once the turn's end is committed; anything the engine reports afterwards is dropped. */
  ended: boolean;
  readonly items: Map<string, OpenItem>;
  /** Deltas not yet committed, in arrival order (coalesced per item). */
  pendingDeltas: { itemId: string; text: string }[];
  pendingBytes: number;
  flushTimer?: NodeJS.Timeout;
  usage?: Usage;
  /** Approvals waiting for a decision: resolving one with 'deny' releases the engine. */
  readonly approvals: Map<string, { itemId: string; settle: (decision: 'approve' | 'deny') => void; cancel: () => void }>;
}

export function newActiveTurn(threadId: string, turnId: string, autoApprove: boolean): ActiveTurn {
  return {
    threadId,
    turnId,
    autoApprove,
    abort: new AbortController(),
    ended: false,
    items: new Map(),
    pendingDeltas: [],
    pendingBytes: 0,
    approvals: new Map(),
  };
}

export function addUsage(a: Usage | undefined, b: Usage): Usage {
  if (!a) return { ...b };
  const sum = (x?: number, y?: number) => (x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0));
  const usage: Usage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
  const cached = sum(a.cachedInputTokens, b.cachedInputTokens);
  const reasoning = sum(a.reasoningTokens, b.reasoningTokens);
  const cost = sum(a.costUsd, b.costUsd);
  if (cached !== undefined) usage.cachedInputTokens = cached;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  if (cost !== undefined) usage.costUsd = cost;
  return usage;
}
