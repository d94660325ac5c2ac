import type { HostTool, HostToolResult } from '../host/port.js';

export type { HostTool, HostToolResult } from '../host/port.js';

/** Where a source is: connecting (no tools yet), ready (its tools offered), or failed (none, with why). */
export type ToolSourceState = 'starting' | 'ready' | 'failed';

/** One source's state as clients see it (`mcp/servers`, `mcp/status`). */
export interface ToolSourceStatus {
  server: string;
  state: ToolSourceState;
  /** How many tools it offers now. */
  tools: number;
  error?: string;
  /** Grows by one at every change of this source: a client keeps the status with the highest. */
  generation: number;
  /** A thread's own server (`thread/create { mcpServers }`): that thread. */
  threadId?: string;
}

/** What a turn's tools depend on: built-in tools need the thread's cwd; shell needs the turn's leave. */
export interface ToolContext {
  cwd?: string;
  allowShell: boolean;
}

export interface CallOptions {
  signal: AbortSignal;
  /** The built-in file and shell tools work here (checked by the caller to be the thread's cwd). */
  cwd?: string;
}

/**
 * A tool source: a set of tools with JSON Schema inputs that a host offers its model. The built-in
 * tools are one (src/tools/builtin), each MCP server another (src/tools/mcp). Names are the ones
 * the model calls: a source makes them unique within itself, the registry across sources.
 */
export interface ToolSource {
  readonly name: string;
  /** The tools offered now for a turn in `context`. */
  list(context: ToolContext): HostTool[];
  describe(name: string, args: Record<string, unknown>): { summary: string; detail: string };
  /** Never rejects: every failure is a result with `ok: false`, which the model sees. */
  call(name: string, args: Record<string, unknown>, options: CallOptions): Promise<HostToolResult>;
  status(): ToolSourceStatus;
  /** `listener` runs after every change of status or tool list; returns the unsubscribe. */
  onChange(listener: (status: ToolSourceStatus) => void): () => void;
  close(): Promise<void>;
}
