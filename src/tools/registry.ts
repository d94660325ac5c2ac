import { createHash } from 'node:crypto';
import type { HostTool, HostToolResult, HostTools } from '../host/port.js';
import type { ToolSource, ToolSourceStatus } from './port.js';

/**
 * The tool sources of one server process, keyed by their configuration, lent to hosts as
 * `HostTools`. Per-thread servers (`thread/create { mcpServers }`) are meant to come through the
 * same `acquire` later: one source per distinct configuration, however many threads use it.
 */
export class ToolRegistry implements HostTools {
  /** In configuration order; `undefined` while the source's code is still loading. */
  private readonly entries: { server: string; key: string; source?: ToolSource; status: ToolSourceStatus }[] = [];
  private readonly listeners = new Set<(status: ToolSourceStatus) => void>();
  /** Model-facing name → its source and the source's own name for it, from the last `list()`. */
  private routes = new Map<string, { source: ToolSource; name: string }>();
  private readonly closers: (() => Promise<void>)[] = [];

  /** Declares a server before its source exists, so clients see it `starting` from the first moment. */
  declare(server: string, config: unknown): void {
    this.entries.push({ server, key: keyOf(server, config), status: { server, state: 'starting', tools: 0, generation: 0 } });
  }

  /** The source of a declared server; its changes are relayed to `onStatus` listeners. */
  attach(server: string, source: ToolSource): void {
    const entry = this.entries.find((e) => e.server === server);
    if (!entry) throw new Error(`tool source ${server} was not declared`);
    entry.source = source;
    source.onChange((status) => {
      entry.status = status;
      this.emit(status);
    });
    if (source.status().generation > entry.status.generation) this.emit((entry.status = source.status()));
  }

  /** A declared server that could not even be created (its code failed to load). */
  fail(server: string, error: string): void {
    const entry = this.entries.find((e) => e.server === server);
    if (!entry || entry.source) return;
    entry.status = { server, state: 'failed', tools: 0, error, generation: entry.status.generation + 1 };
    this.emit(entry.status);
  }

  statuses(): ToolSourceStatus[] {
    return this.entries.map((e) => e.status);
  }

  onStatus(listener: (status: ToolSourceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells this registry's listeners of another's change (a thread's own servers: mcp/status). */
  relay(status: ToolSourceStatus): void {
    this.emit(status);
  }

  /** `close` also runs `closer` (the thread servers of this process go with its own). */
  closeWith(closer: () => Promise<void>): void {
    this.closers.push(closer);
  }

  private emit(status: ToolSourceStatus): void {
    for (const listener of this.listeners) listener(status);
  }

  /**
   * The tools of every ready source. Sources keep their names apart by their prefixes; should two
   * still meet (`a__b`+`c` and `a`+`b__c`), the later source's tool gets a hash of where it is from.
   */
  list(): HostTool[] {
    const routes = new Map<string, { source: ToolSource; name: string }>();
    const tools: HostTool[] = [];
    for (const { source } of this.entries) {
      for (const tool of source?.list({ allowShell: false }) ?? []) {
        const name = routes.has(tool.name) ? `${tool.name.slice(0, 57)}_${hash6(`${source!.name}/${tool.name}`)}` : tool.name;
        routes.set(name, { source: source!, name: tool.name });
        tools.push({ ...tool, name });
      }
    }
    this.routes = routes;
    return tools;
  }

  describe(name: string, args: Record<string, unknown>): { summary: string; detail: string } {
    const route = this.route(name);
    return route ? route.source.describe(route.name, args) : { summary: `${name} ${JSON.stringify(args).slice(0, 200)}`, detail: JSON.stringify(args) };
  }

  call(name: string, args: Record<string, unknown>, options: { signal: AbortSignal }): Promise<HostToolResult> {
    const route = this.route(name);
    if (!route) return Promise.resolve({ ok: false, text: `error: there is no tool "${name}" now; it was not run` });
    return route.source.call(route.name, args, options);
  }

  private route(name: string): { source: ToolSource; name: string } | undefined {
    if (!this.routes.has(name)) this.list();
    return this.routes.get(name);
  }

  /** Closes every source, waiting at most `waitMs` (a stdio server that ignores its closed stdin is killed by the SDK later). */
  async close(waitMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const closed = Promise.all([
      ...this.entries.map((e) => e.source?.close().catch(() => undefined)),
      ...this.closers.map((close) => close().catch(() => undefined)),
    ]);
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }
}

function hash6(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

function keyOf(server: string, config: unknown): string {
  return `${server}\0${JSON.stringify(config)}`;
}
