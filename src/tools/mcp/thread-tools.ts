import type { McpServerSpec } from '@threadline/protocol';
import type { HostTools } from '../../host/port.js';
import type { ToolSourceStatus } from '../port.js';
import { ToolRegistry } from '../registry.js';
import type { McpConfig, McpServerConfig } from './config.js';

export interface ThreadToolsOptions {
  /** Loads the MCP client and starts the configured sources in `registry`, in the background (tools/load.ts). */
  start: (config: McpConfig, registry: ToolRegistry) => void;
  /** Every status change of a thread's server, tagged with its thread (relayed as `mcp/status`). */
  onStatus: (status: ToolSourceStatus) => void;
  /** Threads whose servers are kept running at once; the least recently used are closed past it. */
  maxThreads?: number;
}

const DEFAULT_MAX_THREADS = 16;

/**
 * The MCP servers of each thread (`thread/create { mcpServers }`): started on the thread's first
 * turn in this process (in the background: the turn never waits; a server still starting joins a
 * later turn), their tools lent to that thread's turns only. A bounded number of threads keep
 * theirs running; the next turn of a thread whose servers were closed starts them again.
 */
export class ThreadTools {
  private readonly threads = new Map<string, ToolRegistry>();

  constructor(private readonly o: ThreadToolsOptions) {}

  /** The thread's tools (its servers started on first use); undefined when it has none. */
  forThread(threadId: string, servers: McpServerSpec[]): HostTools | undefined {
    if (servers.length === 0) return undefined;
    const held = this.threads.get(threadId);
    if (held) {
      this.threads.delete(threadId); // re-inserted: the map's order is least recently used first
      this.threads.set(threadId, held);
      return held;
    }
    const config = configOf(servers);
    const registry = new ToolRegistry();
    for (const { name, config: server } of config.servers) registry.declare(name, server);
    registry.onStatus((status) => this.o.onStatus({ ...status, threadId }));
    this.threads.set(threadId, registry);
    for (const status of registry.statuses()) this.o.onStatus({ ...status, threadId }); // `starting`, at once
    this.o.start(config, registry);
    this.evict();
    return registry;
  }

  private evict(): void {
    const max = this.o.maxThreads ?? DEFAULT_MAX_THREADS;
    for (const [threadId, registry] of this.threads) {
      if (this.threads.size <= max) break;
      this.threads.delete(threadId);
      void registry.close();
    }
  }

  async close(): Promise<void> {
    const all = [...this.threads.values()];
    this.threads.clear();
    await Promise.all(all.map((registry) => registry.close()));
  }
}

/** ACP's shape (arrays of name/value pairs) → the `--mcp-config` shape the sources take. */
export function configOf(servers: McpServerSpec[]): McpConfig {
  return {
    servers: servers.map((s): { name: string; config: McpServerConfig } =>
      'url' in s
        ? { name: s.name, config: { url: s.url, headers: Object.fromEntries(s.headers.map((h) => [h.name, h.value])) } }
        : { name: s.name, config: { command: s.command, args: s.args, env: Object.fromEntries(s.env.map((e) => [e.name, e.value])) } },
    ),
  };
}
