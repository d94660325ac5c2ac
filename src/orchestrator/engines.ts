import type { Thread } from '@threadline/protocol';
import type { Engine, EngineHost, EngineThread, HistoryEntry } from '../host/port.js';
import type { Store } from '../store/store.js';

/**
 * Loaded engines, one per thread. An engine is loaded from the persisted conversation, so one
 * lost to a restart (or, later, evicted) comes back knowing everything that survived.
 */
export class EngineCache {
  private readonly engines = new Map<string, Engine>();

  constructor(
    private readonly host: () => Promise<EngineHost>,
    private readonly store: Store,
  ) {}

  /** The thread's engine, loaded with its history minus `currentTurnId` (which it is about to start). */
  async acquire(thread: Thread, currentTurnId: string): Promise<Engine> {
    const cached = this.engines.get(thread.id);
    if (cached) return cached;
    const host = await this.host();
    const history: HistoryEntry[] = this.store
      .listHistory(thread.id)
      .filter((row) => row.turnId !== currentTurnId)
      .map((row) => ({ kind: row.kind, status: row.status, text: row.detail, metadata: row.metadata }));
    const engine = await host.loadEngine(toEngineThread(thread), history);
    this.engines.set(thread.id, engine);
    return engine;
  }

  peek(threadId: string): Engine | undefined {
    return this.engines.get(threadId);
  }

  async drop(threadId: string): Promise<void> {
    const engine = this.engines.get(threadId);
    this.engines.delete(threadId);
    await engine?.dispose?.();
  }

  async dropAll(): Promise<void> {
    await Promise.allSettled([...this.engines.keys()].map((id) => this.drop(id)));
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
