import type { Logger } from '../../log.js';
import type { ChangeFeed, Store } from '../../store/port.js';
import type { Commit } from '../commit/commit.js';
import type { EventBus } from '../commit/event-bus.js';
import type { GroupCommitter } from '../commit/group-commit.js';
import type { EngineCache } from '../engines/engine-cache.js';
import type { LeaseOwner } from '../ownership/lease-owner.js';
import type { TurnRunner } from '../turns/runner.js';

export interface OperationLimits {
  /** `--max-queued`: pending prompts a thread holds at most. */
  maxQueued: number;
  /** `--max-prompt-bytes`: a larger prompt (or edit content) is refused. */
  maxPromptBytes: number;
  /** `--max-item-bytes`: an item's detail is cut past this. */
  maxItemBytes: number;
}

/** What operations stand on: the store, the commit pipeline and the parts that run turns. */
export interface OperationDeps {
  store: Store;
  /** One operation, one transaction, then publish. */
  commit: Commit;
  /** Client writes that arrive together share one transaction. */
  groupCommit: GroupCommitter;
  bus: EventBus;
  leases: LeaseOwner;
  engines: EngineCache;
  runner: TurnRunner;
  /** Other processes' commits on the same store (absent when the store cannot see them). */
  otherProcessCommits: ChangeFeed | undefined;
  hostSupportsSteer: boolean;
  limits: OperationLimits;
  log: Logger;
  /**
   * `--auto-compact-at`, when the host supports compaction (else undefined): a thread whose
   * context is this full compacts before its next turn (turns/auto-compact.ts).
   */
  autoCompactAt(): Promise<number | undefined>;
  /** True once shutdown began: nothing new is started. */
  isClosed(): boolean;
}
