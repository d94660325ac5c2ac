import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { minimalEnvironment } from '../../host/minimal-env.js';
import type { HostLogger } from '../../host/port.js';
import { shown } from '../builtin/summary.js';
import { toolNames } from '../names.js';
import type { HostTool, HostToolResult, ToolSource, ToolSourceStatus } from '../port.js';
import { DEFAULT_TOOL_TIMEOUT_SEC, isStdio, type McpServerConfig } from './config.js';
import { resultText } from './result.js';

export interface McpSourceOptions {
  log: HostLogger;
  /** `mcp__<server>__`, unique among the configured servers (names.ts). */
  prefix: string;
  /** A result longer than this is cut, like built-in tool output (the openai host's maxOutputBytes). */
  maxOutputBytes: number;
  /** Where the stdio server's minimal environment is taken from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /** How long connecting (spawn + initialize + tools/list) may take. */
  connectTimeoutMs?: number;
}

/** Restarts after a crash: one, then the server is `failed` until Threadline restarts. */
const MAX_RESTARTS = 1;
/** A summary shows this much of the arguments; the approval's detail has all of them. */
const SUMMARY_ARGS = 200;

/**
 * One MCP server as a tool source, over the official SDK's client: stdio (a child process with the
 * minimal environment plus its configured `env`) or streamable HTTP. Connects in the background;
 * a server that goes away is restarted once, and a call in flight then fails as a tool error
 * (never replayed: the server may have done it). `notifications/tools/list_changed` refreshes the list.
 */
export class McpSource implements ToolSource {
  private client: Client | undefined;
  /** Model-facing name → the server's own name. */
  private byName = new Map<string, Tool>();
  private current: ToolSourceStatus;
  private readonly listeners = new Set<(status: ToolSourceStatus) => void>();
  private restarts = 0;
  private closing = false;

  constructor(
    readonly name: string,
    private readonly config: McpServerConfig,
    private readonly o: McpSourceOptions,
  ) {
    this.current = { server: name, state: 'starting', tools: 0, generation: 0 };
  }

  /** Connects in the background; the status says how it went. */
  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({ name: 'threadline', version: '1' }, { capabilities: {} });
    let ended = false;
    client.onclose = () => {
      if (ended) return;
      ended = true;
      void this.onClosed(client);
    };
    client.onerror = (error) => this.o.log.debug('mcp server transport error', { server: this.name, message: error.message });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () =>
      // A failed refresh keeps the old list: the next call of a vanished tool is a tool error.
      this.refresh(client).catch((error: Error) => this.o.log.warn('mcp tools/list failed after list_changed', { server: this.name, message: error.message })),
    );
    this.client = client;
    try {
      await client.connect(this.transport(), { timeout: this.o.connectTimeoutMs ?? 30_000 });
      if (this.closing) return void (await client.close());
      await this.refresh(client);
    } catch (error) {
      ended = true;
      this.client = undefined;
      void client.close().catch(() => undefined);
      if (this.closing) return;
      this.o.log.warn('mcp server failed to start', { server: this.name, message: (error as Error).message });
      this.set({ state: 'failed', error: `could not connect: ${(error as Error).message}` });
    }
  }

  private transport(): Transport {
    const c = this.config;
    if (isStdio(c)) {
      const transport = new StdioClientTransport({
        command: c.command,
        args: c.args,
        env: { ...(minimalEnvironment([], this.o.env ?? process.env) as Record<string, string>), ...c.env },
        ...(c.cwd ? { cwd: c.cwd } : {}),
        stderr: 'pipe',
      });
      // A server's stderr is its log: ours at debug, never on our stdout (the protocol).
      transport.stderr?.on('data', (chunk: Buffer) => this.o.log.debug('mcp server stderr', { server: this.name, text: chunk.toString('utf8').slice(0, 2000) }));
      return transport;
    }
    return new StreamableHTTPClientTransport(new URL(c.url), { requestInit: { headers: c.headers } });
  }

  /** tools/list, every page, then the status shows the new count. */
  private async refresh(client: Client): Promise<void> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor && tools.length < 10_000);
    if (client !== this.client) return;
    const names = toolNames(this.o.prefix, tools.map((t) => t.name));
    this.byName = new Map(tools.map((t) => [names.get(t.name)!, t]));
    if (this.current.state !== 'ready') this.o.log.info('mcp server ready', { server: this.name, tools: this.byName.size });
    this.set({ state: 'ready', error: undefined });
  }

  private async onClosed(client: Client): Promise<void> {
    if (this.closing || client !== this.client) return;
    this.client = undefined;
    this.byName = new Map();
    if (this.restarts >= MAX_RESTARTS) {
      this.o.log.warn('mcp server exited again; not restarted', { server: this.name });
      this.set({ state: 'failed', error: `the server exited ${this.restarts + 1} times; it is not restarted again` });
      return;
    }
    this.restarts++;
    this.o.log.warn('mcp server exited; restarting it', { server: this.name });
    this.set({ state: 'starting', error: undefined });
    await this.connect();
  }

  private set(change: Partial<ToolSourceStatus>): void {
    const next: ToolSourceStatus = { ...this.current, ...change, tools: this.byName.size, generation: this.current.generation + 1 };
    if (next.error === undefined) delete next.error;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }

  list(): HostTool[] {
    return [...this.byName].map(([name, t]) => ({
      name,
      description: t.description ?? t.title ?? t.name,
      inputSchema: t.inputSchema as Record<string, unknown>,
      approval: 'tool',
    }));
  }

  describe(name: string, args: Record<string, unknown>): { summary: string; detail: string } {
    const tool = this.byName.get(name)?.name ?? name;
    const json = JSON.stringify(args);
    const cut = json.length > SUMMARY_ARGS ? `${json.slice(0, SUMMARY_ARGS)}…` : json;
    return { summary: `${shown(this.name)}: ${shown(tool)} ${shown(cut)}`, detail: `MCP server ${this.name}, tool ${tool}, arguments:\n${JSON.stringify(args, null, 2)}` };
  }

  async call(name: string, args: Record<string, unknown>, options: { signal: AbortSignal }): Promise<HostToolResult> {
    const tool = this.byName.get(name);
    const client = this.client;
    if (!tool || !client) return { ok: false, text: `error: the MCP server "${this.name}" has no tool ${shown(name)} now (${this.current.state}); it was not run` };
    const timeoutMs = (this.config.toolTimeoutSec ?? DEFAULT_TOOL_TIMEOUT_SEC) * 1000;
    try {
      const result = await client.callTool({ name: tool.name, arguments: args }, undefined, { signal: options.signal, timeout: timeoutMs, maxTotalTimeout: timeoutMs });
      return resultText(result, this.o.maxOutputBytes);
    } catch (error) {
      return { ok: false, text: `error: ${this.failure(error, client, timeoutMs, options.signal)}` };
    }
  }

  /** Why a call failed, in words the model can act on. */
  private failure(error: unknown, client: Client, timeoutMs: number, signal: AbortSignal): string {
    const message = (error as Error).message ?? String(error);
    if (signal.aborted) return 'the call was interrupted';
    if ((error as { code?: number }).code === -32001) return `the MCP server "${this.name}" did not answer within ${timeoutMs / 1000} s (toolTimeoutSec); the call was abandoned`;
    if (client !== this.client || (error as { code?: number }).code === -32000) {
      return `the MCP server "${this.name}" went away during the call (${message}); the call was not retried, it may or may not have taken effect`;
    }
    return `the MCP server "${this.name}" answered with an error: ${message}`;
  }

  status(): ToolSourceStatus {
    return this.current;
  }

  onChange(listener: (status: ToolSourceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }
}
