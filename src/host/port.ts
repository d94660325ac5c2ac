/**
 * The engine host port: the only thing a host sees of Threadline. A host is a module exporting
 * `createHost(options)`; it loads one engine per thread and the engine runs that thread's turns.
 * Hosts never touch the store or decide a turn's status: they report, the orchestrator records.
 */

/** Thread settings an engine may use. */
export interface EngineThread {
  id: string;
  title: string;
  model?: string;
  mode?: string;
  cwd?: string;
  systemPrompt?: string;
  autoApprove: boolean;
  trustMode: boolean;
  metadata: Record<string, unknown>;
}

export type EngineItemKind = 'user_message' | 'agent_message' | 'reasoning' | 'tool_call' | 'tool_result' | 'error';

/** One persisted item of the surviving conversation (superseded turns left out), oldest first. */
export interface HistoryEntry {
  kind: EngineItemKind;
  status: 'in_progress' | 'completed' | 'failed';
  text: string;
  metadata?: Record<string, unknown>;
}

export interface TurnInput {
  turnId: string;
  prompt: string;
  model?: string;
  mode?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  allowShell?: boolean;
  trustMode?: boolean;
}

export interface EngineUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
  costUsd?: number;
}

export type ApprovalKind = 'shell' | 'edit' | 'tool';

/** An approval the engine needs before it goes on; `itemKey` names the engine's tool_call item. */
export interface EngineApprovalRequest {
  itemKey: string;
  kind: ApprovalKind;
  summary: string;
  detail: string;
}

/** What a running turn can ask of Threadline. */
export interface TurnContext {
  /** Aborted when the turn is interrupted or the server shuts down. */
  readonly signal: AbortSignal;
  /** Resolves with the decision (the client's, or the thread's autoApprove); "deny" on interrupt. */
  requestApproval(request: EngineApprovalRequest): Promise<'approve' | 'deny'>;
}

/**
 * What a turn reports, in order. `key` is the engine's own name for an item, unique in the turn;
 * Threadline assigns the item ids. Usage events add up. The stream ending means the turn
 * completed; the stream throwing means it failed with that error's message.
 */
export type EngineEvent =
  | { type: 'item.started'; key: string; kind: EngineItemKind; text?: string; metadata?: Record<string, unknown> }
  | { type: 'item.delta'; key: string; text: string }
  | {
      type: 'item.completed';
      key: string;
      status?: 'completed' | 'failed';
      /** The item's full text when it is not simply the concatenation of its deltas. */
      text?: string;
      metadata?: Record<string, unknown>;
    }
  | { type: 'usage'; usage: EngineUsage };

export interface Engine {
  /**
   * Starts a turn. Rejecting means the turn could not start (it is recorded `failed` and the
   * caller gets HostError); otherwise the returned stream reports the turn as it runs.
   */
  startTurn(input: TurnInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>>;
  /** Stops the running turn soon; the turn is already recorded `interrupted`. */
  interrupt(): void;
  /** Drops the last user message and everything after it from the engine's conversation. */
  truncateBeforeLastUserMessage(): void;
  /**
   * Adds a user message to the running turn. Returns false when the turn can no longer take it
   * (it is finishing); Threadline then queues the prompt instead.
   */
  steer?(text: string): boolean;
  /** Releases what the engine holds (processes, sockets). */
  dispose?(): void | Promise<void>;
}

export interface EngineHost {
  readonly name: string;
  readonly supportsSteer: boolean;
  loadEngine(thread: EngineThread, history: HistoryEntry[]): Engine | Promise<Engine>;
  close?(): void | Promise<void>;
}

export interface HostOptions {
  [key: string]: string | undefined;
}

export type CreateHost = (options: HostOptions) => EngineHost | Promise<EngineHost>;
