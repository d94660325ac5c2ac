import type { Thread } from '@threadline/protocol';
import type { EngineHost, EngineThread } from '../../host/port.js';
import type { Logger } from '../../log.js';
import type { ReadTx, Store } from '../../store/port.js';
import { assertEngine, GuardedEngine, messageOf } from './host-guard.js';
import { visibleHistory } from './visible-history.js';

/**
 * The database failed while an engine was being loaded (its history, or whether the cached one is
 * current): `storeError` is the store's own error, so the caller answers it as it answers any
 * call the database refused (-32030, retryable when the store says so), not as a host failure.
 */
export class HistoryUnavailable extends Error {
  constructor(readonly storeError: unknown) {
    super(`could not read the thread's history: ${messageOf(storeError)}`);
    this.name = 'HistoryUnavailable';
  }
}

export interface EngineCacheOptions {
  host: () => Promise<EngineHost>;
  hostName: string;
  store: Store;
  log: Logger;
  /** How many engines stay loaded (`--max-loaded-engines`); the least recently used go first. */
  maxLoaded: number;
  /** True while the thread has a running turn: its engine is never evicted. */
  isBusy: (threadId: string) => boolean;
}

/**
 * Loaded engines, one per thread, in an LRU (a Map keeps insertion order: re-inserting on use
 * makes the first entry the least recently used). An engine is loaded from the persisted
 * conversation, so one evicted or lost to a restart comes back knowing everything that survived.
 */
export class EngineCache {
  private readonly engines = new Map<string, GuardedEngine>();

  constructor(private readonly options: EngineCacheOptions) {}

  /** The thread's engine, loaded with its history minus `currentTurnId` (which it is about to start). */
  async acquire(thread: Thread, currentTurnId: string): Promise<GuardedEngine> {
    const cached = this.engines.get(thread.id);
    // Another server process on the same file may have run turns since: then reload the history.
    const { previous, historyRev } = await this.readStore(async (tx) => ({
      previous: await tx.turns.findPreviousId(thread.id, currentTurnId),
      historyRev: (await tx.threads.runState(thread.id))?.historyRev ?? 0,
    }));
    // A revert or unrevert (here or in another process) changes what the engine must see: reload.
    if (cached && !cached.discardOnAcquire && cached.lastTurnId === previous && cached.historyRev === historyRev) {
      cached.lastTurnId = currentTurnId;
      this.engines.delete(thread.id);
      this.engines.set(thread.id, cached);
      this.evictBeyondLimit(); // the cache may have run over while a turn held an engine
      return cached;
    }
    if (cached) await this.drop(thread.id);
    const host = await this.options.host();
    const history = await this.readStore(async (tx) => await visibleHistory(tx, thread.id));
    let engine: unknown;
    try {
      engine = await host.loadEngine(toEngineThread(thread), history);
    } catch (error) {
      throw new Error(`could not load the engine: ${messageOf(error)}`);
    }
    assertEngine(engine);
    const guarded = new GuardedEngine(engine, this.options.hostName, this.options.log);
    guarded.lastTurnId = currentTurnId;
    guarded.historyRev = historyRev;
    this.engines.set(thread.id, guarded);
    this.evictBeyondLimit();
    return guarded;
  }

  /** A read whose failure is the database's, never the host's: it rejects with HistoryUnavailable. */
  private async readStore<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    try {
      return await this.options.store.read(fn);
    } catch (error) {
      throw new HistoryUnavailable(error);
    }
  }

  get hostName(): string {
    return this.options.hostName;
  }

  /** The host (loaded on first use), to ask what it supports. */
  host(): Promise<EngineHost> {
    return this.options.host();
  }

  peek(threadId: string): GuardedEngine | undefined {
    return this.engines.get(threadId);
  }

  /** Drops `engine` if it is still the thread's: it faulted, and the next turn reloads it. */
  discard(threadId: string, engine: GuardedEngine | undefined): void {
    if (engine && this.engines.get(threadId) === engine) void this.drop(threadId);
  }

  async drop(threadId: string): Promise<void> {
    const engine = this.engines.get(threadId);
    this.engines.delete(threadId);
    await engine?.dispose();
  }

  async dropAll(): Promise<void> {
    await Promise.allSettled([...this.engines.keys()].map((id) => this.drop(id)));
  }

  /** Least recently used first; an engine with a running turn stays (the cache may run over until it ends). */
  private evictBeyondLimit(): void {
    let excess = this.engines.size - this.options.maxLoaded;
    for (const threadId of [...this.engines.keys()]) {
      if (excess <= 0) return;
      if (this.options.isBusy(threadId)) continue;
      this.options.log.debug('engine evicted', { threadId, loaded: this.engines.size - 1, max: this.options.maxLoaded });
      void this.drop(threadId);
      excess--;
    }
  }
}

function toEngineThread(t: Thread): EngineThread {
  return {
    id: t.id,
    title: t.title,
    model: t.model,
    mode: t.mode,
    cwd: t.cwd,
    systemPrompt: t.systemPrompt,
    autoApprove: t.autoApprove,
    trustMode: t.trustMode,
    metadata: t.metadata,
  };
}
