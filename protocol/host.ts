import * as z from 'zod/mini';
import { lazy } from './registry.js';
import { ApprovalKindSchema, approvalKindSchema, type ApprovalDecision, type ApprovalKind } from './events.js';
import { itemKindSchema, type ItemKind, type ItemStatus } from './schemas.js';

/**
 * The engine host port, version 1: everything a host sees of Threadline, and the zod schemas of
 * everything it reports. A host is a module exporting `createHost(options)`; it loads one engine
 * per thread and the engine runs that thread's turns. Hosts never touch the store or decide a
 * turn's status: they report, Threadline validates and records. See docs/hosts.md.
 */
export const HOST_API_VERSION = 1;

/** The item kinds an engine reports are the wire's (one list: a new kind is added once, in schemas.ts). */
export const engineItemKindSchema = itemKindSchema;
export const EngineItemKindSchema = /* @__PURE__ */ engineItemKindSchema();
export type EngineItemKind = ItemKind;
export { ApprovalKindSchema, approvalKindSchema, type ApprovalDecision, type ApprovalKind };

// The schemas below are built on first use (a server checks engine output only once a turn runs);
// each exported constant is the same schema, built on import.
const count = lazy(() => z.number().check(z.int(), z.nonnegative()));
const metadata = lazy(() => z.record(z.string(), z.unknown()));
/** An engine's own name for an item, unique within the turn. */
const itemKey = lazy(() => z.string().check(z.minLength(1)));

export const engineUsageSchema = lazy(() =>
  z.object({
    inputTokens: count(),
    outputTokens: count(),
    cachedInputTokens: z.optional(count()),
    reasoningTokens: z.optional(count()),
    costUsd: z.optional(z.number().check(z.nonnegative())),
  }),
);
export const EngineUsageSchema = /* @__PURE__ */ engineUsageSchema();
export type EngineUsage = z.infer<typeof EngineUsageSchema>;

/**
 * What a turn reports, in order. Threadline assigns item ids; usage events add up. The stream
 * ending means the turn completed; `turn.failed` ends it `failed` with that error (as given);
 * the stream throwing is a host fault: the turn fails with an error naming the host.
 */
export const engineEventSchema = lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('item.started'), key: itemKey(), kind: engineItemKindSchema(), text: z.optional(z.string()), metadata: z.optional(metadata()) }),
    z.object({ type: z.literal('item.delta'), key: itemKey(), text: z.string() }),
    z.object({
      type: z.literal('item.completed'),
      key: itemKey(),
      status: z.optional(z.enum(['completed', 'failed'])),
      /** The item's full text when it is not simply the concatenation of its deltas. */
      text: z.optional(z.string()),
      metadata: z.optional(metadata()),
    }),
    z.object({ type: z.literal('usage'), usage: engineUsageSchema() }),
    /**
     * After a model call: tokens now in the context (the prompt sent plus the reply) and the
     * model's context window, or `null` when the host does not know it (never a guess).
     */
    z.object({ type: z.literal('context'), used: count(), size: z.nullable(z.number().check(z.int(), z.positive())) }),
    z.object({ type: z.literal('turn.failed'), error: z.string().check(z.minLength(1)) }),
  ]),
);
export const EngineEventSchema = /* @__PURE__ */ engineEventSchema();
export type EngineEvent = z.infer<typeof EngineEventSchema>;
export type EngineEventType = EngineEvent['type'];

/**
 * An approval the engine needs before it goes on; `itemKey` names its open tool_call item. The
 * optional `tool`, `command` and `path` say exactly what will run: approval rules match on them
 * (a host that leaves them out is always asked, and no rule is proposed for its calls).
 */
export const engineApprovalRequestSchema = lazy(() =>
  z.object({
    itemKey: itemKey(),
    kind: approvalKindSchema(),
    summary: z.string(),
    detail: z.string(),
    /** The tool's name as the model called it (`shell`, `write_file`, `mcp__github__create_issue`). */
    tool: z.optional(z.string()),
    /** A shell command, exactly as it will run. */
    command: z.optional(z.string()),
    /** The file the call uses, as given (a relative path is resolved against the thread's cwd). */
    path: z.optional(z.string()),
  }),
);
export const EngineApprovalRequestSchema = /* @__PURE__ */ engineApprovalRequestSchema();
export type EngineApprovalRequest = z.infer<typeof EngineApprovalRequestSchema>;

/** Thread settings an engine may use. */
export interface EngineThread {
  id: string;
  title: string;
  model?: string;
  mode?: string;
  /** The thread's working directory; tools must stay inside it. */
  cwd?: string;
  systemPrompt?: string;
  autoApprove: boolean;
  trustMode: boolean;
  metadata: Record<string, unknown>;
}

/** One persisted item of the surviving conversation (superseded turns left out), oldest first. */
export interface HistoryEntry {
  kind: EngineItemKind;
  status: ItemStatus;
  text: string;
  metadata?: Record<string, unknown>;
}

export interface TurnInput {
  turnId: string;
  prompt: string;
  /** Resolved when the turn was promoted: routing rule, else the prompt's, else the thread's. */
  model?: string;
  mode?: string;
  /** The thread's system prompt as of this turn (it may change after the engine was loaded). */
  systemPrompt?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  allowShell?: boolean;
  trustMode?: boolean;
}

/** A `thread/compact` turn: summarise the engine's conversation. */
export interface CompactionInput {
  turnId: string;
  /** The client's wishes for the summary (what to keep, what to stress); absent: none. */
  instructions?: string;
  /** The thread's model as of this turn. */
  model?: string;
  /** The thread's system prompt as of this turn. */
  systemPrompt?: string;
}

/** What a running turn can ask of Threadline. */
export interface TurnContext {
  /** Aborted when the turn is interrupted, fails or the server shuts down. */
  readonly signal: AbortSignal;
  /** Resolves with the decision (the client's, the thread's autoApprove, or "deny" on timeout/interrupt). */
  requestApproval(request: EngineApprovalRequest): Promise<ApprovalDecision>;
  /**
   * The tools of this thread's own MCP servers (`thread/create { mcpServers }`), for this turn
   * only; absent when it has none. Like `HostServices.tools`, `list()` is what is ready now.
   */
  readonly tools?: HostTools;
}

export interface Engine {
  /**
   * Starts a turn. Rejecting means the turn could not start (it is recorded `failed` and the
   * caller gets HostError); otherwise the returned stream reports the turn as it runs.
   */
  startTurn(input: TurnInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>>;
  /**
   * Runs a compaction turn (`thread/compact`; only called when the host declares
   * `supportsCompaction`): the stream reports one item of kind `context_compaction` whose text is
   * a summary of the conversation the engine holds, then ends. Events, failure and interruption
   * work as in `startTurn`. The engine need not change its conversation: after a completed
   * compaction Threadline loads a fresh engine whose history begins with that summary item; a
   * failed or interrupted one changes nothing.
   */
  compact?(input: CompactionInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>>;
  /** Stops the running turn soon; the turn is already recorded `interrupted`. */
  interrupt(): void;
  /** Drops the last user message and everything after it from the engine's conversation. */
  truncateBeforeLastUserMessage(): void;
  /**
   * Adds a user message to the running turn. Returns false when the turn can no longer take it
   * (it is finishing); Threadline then queues the prompt instead.
   */
  steer?(text: string): boolean;
  /** Releases what the engine holds (processes, sockets); called on eviction, deletion, exit. */
  dispose?(): void | Promise<void>;
}

export interface EngineHost {
  readonly name: string;
  /** The port version the host was written against; absent means 1. */
  readonly apiVersion?: number;
  readonly supportsSteer: boolean;
  /** True when its engines implement `compact` (`thread/compact`); absent or false: -32020. */
  readonly supportsCompaction?: boolean;
  loadEngine(thread: EngineThread, history: HistoryEntry[]): Engine | Promise<Engine>;
  close?(): void | Promise<void>;
}

/** `--host-option key=value` pairs (and the host's own flags, e.g. `model`), as strings. */
export interface HostOptions {
  [key: string]: string | undefined;
}

/** Where a host writes its logs: Threadline's stderr log, at the server's `--log-level`. */
export interface HostLogger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** A tool a host may offer its model: the name to call it by, what it does, its JSON Schema input. */
export interface HostTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** The approval kind the call needs; absent: none (e.g. a read-only built-in tool). */
  approval?: ApprovalKind;
}

/** What a tool call gives back to the model; `ok: false` marks the tool_result item failed. */
export interface HostToolResult {
  ok: boolean;
  text: string;
}

/**
 * Tools Threadline lends every host: the MCP servers of `--mcp-config` (docs/hosts.md). Servers
 * connect in the background: `list()` is what is ready now, and grows (or shrinks) between calls.
 */
export interface HostTools {
  list(): HostTool[];
  /** The tool_call item's text and the approval's summary and detail for a call of `name`. */
  describe(name: string, args: Record<string, unknown>): { summary: string; detail: string };
  /** Never rejects: a failure (server gone, timeout, abort) is a result with `ok: false`. */
  call(name: string, args: Record<string, unknown>, options: { signal: AbortSignal }): Promise<HostToolResult>;
}

/** What Threadline lends a host besides its options. */
export interface HostServices {
  log: HostLogger;
  /** Tools from the server's tool sources (MCP servers); absent when none is configured. */
  tools?: HostTools;
}

export type CreateHost = (options: HostOptions, services: HostServices) => EngineHost | Promise<EngineHost>;
