import type { Usage } from '@threadline/protocol';
import type { GuardedEngine } from '../engines/host-guard.js';
import { cutToBytes } from '../decide/item-limits.js';
import { PendingWrites } from './pending-writes.js';
import type { PendingApproval } from './approval-flow.js';
import type { Peer } from './peer.js';
import type { TurnOutcome } from './steps.js';

/**
 * An item the engine opened, under the engine's own key, with the text it streamed so far —
 * kept up to `--max-item-bytes`; past that it is cut and the item marked `truncated` (every
 * delta still goes to the log).
 */
export class OpenItem {
  text = '';
  private bytes = 0;
  truncated = false;

  constructor(
    readonly itemId: string,
    private readonly maxBytes: number,
  ) {}

  append(text: string): void {
    if (this.truncated) return;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.bytes + bytes <= this.maxBytes) {
      this.text += text;
      this.bytes += bytes;
      return;
    }
    this.text += cutToBytes(text, this.maxBytes - this.bytes);
    this.truncated = true;
  }
}


/** In-memory state of a running turn; the database holds the truth, this holds the live parts. */
export interface ActiveTurn {
  readonly threadId: string;
  readonly turnId: string;
  readonly abort: AbortController;
  readonly autoApprove: boolean;
  /** The connection that started the turn: its client is asked for the turn's approvals. */
  readonly peer: Peer;
  engine?: GuardedEngine;
  /** Set once the turn's end is committed; anything the engine reports afterwards is dropped. */
  ended: boolean;
  /**
   * Set by the transaction that records the turn's end (unset should it roll back): a write
   * queued behind it finds the turn ended before `ended` is set, and writes nothing for it.
   */
  endRecorded: boolean;
  /**
   * Set when the database refused to record the turn's end: the engine is stopped, what it
   * reports is dropped, and the end is retried until the database takes it. `refused`: the
   * refusal was for good, so what was pending is dropped and open items end with the text the
   * log holds; `endRefused`: even that smaller end was refused for good (retried each minute);
   * `warned`: the retries every second were logged.
   */
  failing?: { outcome: TurnOutcome; retry?: NodeJS.Timeout; refused?: boolean; endRefused?: boolean; warned?: boolean };
  readonly items: Map<string, OpenItem>;
  /** What the engine reported that is not committed yet. */
  readonly pending: PendingWrites;
  usage?: Usage;
  /**
   * A compaction turn (`thread/compact`): it may report `context_compaction` (and `reasoning`) items only, and it
   * completes only once one of them completed (`summarized`), else the engine would forget all.
   */
  readonly compaction?: { summarized: boolean };
  /** Approvals waiting for a decision, by approval id: settling one releases the engine. */
  readonly approvals: Map<string, PendingApproval>;
}

export function newActiveTurn(threadId: string, turnId: string, autoApprove: boolean, peer: Peer, flush: () => void, compaction = false): ActiveTurn {
  return {
    ...(compaction ? { compaction: { summarized: false } } : {}),
    threadId,
    turnId,
    autoApprove,
    peer,
    abort: new AbortController(),
    ended: false,
    endRecorded: false,
    items: new Map(),
    pending: new PendingWrites(threadId, turnId, flush),
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
