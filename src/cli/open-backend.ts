import { resolve } from 'node:path';
import { createLogger, routeConsoleToStderr, type Logger } from '../log.js';
import { lazyHost, resolveHost, type HostSpec } from '../host/load.js';
import { createOrchestrator, type Orchestrator } from '../orchestrator/api.js';
import { useMachineId } from '../orchestrator/ownership/process-identity.js';
import { isPostgresUrl, openReadOnlyStoreAt, openStoreAt, withoutPassword } from '../store/open.js';
import type { Store } from '../store/port.js';
import { readMcpConfig, startDeclared, startToolSources } from '../tools/load.js';
import { ThreadTools } from '../tools/mcp/thread-tools.js';
import type { ToolRegistry } from '../tools/registry.js';
import { UsageError, parseServeArgs, type ServeArgs } from './args.js';

/** Hosts whose steer support is known without loading them. */
const STEER_SUPPORT: Record<string, boolean> = { echo: true, exec: true, openai: true };

export interface Backend {
  config: ServeArgs;
  log: Logger;
  dbPath: string;
  host: HostSpec;
  hostSupportsSteer: boolean;
  store: Store;
  orchestrator: Orchestrator;
  /** Turns start-up recovery ended. */
  recovered: number;
  /** The MCP servers of `--mcp-config`, connecting in the background (none without it); closing it closes the threads' own. */
  tools: ToolRegistry;
}

/**
 * What every front end (`serve`, `acp`) stands on, from the same flags: logs on stderr, the host
 * resolved (one that cannot be found exits 2 here, before any client waits), the store opened and
 * recovered (not with --read-only). A database that cannot be opened or recovered is a usage
 * error: one line, exit 2.
 */
export async function openBackend(args: string[]): Promise<Backend> {
  const config = parseServeArgs(args);
  useMachineId(config.machineId); // before the owner row is written
  const log = createLogger(config.logLevel);
  routeConsoleToStderr(); // a host's console.log must never corrupt the protocol on stdout
  const postgres = isPostgresUrl(config.db);
  // What logs, errors and `initialize` show: a Postgres URL without its password.
  const dbPath = config.db === ':memory:' ? ':memory:' : postgres ? withoutPassword(config.db) : resolve(config.db);
  const host = resolveHost(config.host);
  let store: Store;
  try {
    const location = postgres ? config.db : dbPath;
    store = config.readOnly ? await openReadOnlyStoreAt(location) : await openStoreAt(location, config.durability);
  } catch (error) {
    throw new UsageError(`cannot open database ${dbPath}: ${(error as Error).message}`);
  }
  const hostSupportsSteer = STEER_SUPPORT[host.name] ?? true;
  const { mcpConfig, autoCompactAt, ...hostOptions } = config.hostOptions;
  const toolOptions = { log, maxOutputBytes: Number(hostOptions.maxOutputBytes) || 64 * 1024 };
  // Always a registry: threads may bring their own MCP servers (thread/create { mcpServers }) without --mcp-config.
  const tools = startToolSources(mcpConfig ? readMcpConfig(mcpConfig) : { servers: [] }, toolOptions);
  const threadTools = new ThreadTools({ start: (c, registry) => startDeclared(c, registry, toolOptions), onStatus: (s) => tools.relay(s) });
  tools.closeWith(() => threadTools.close());
  const orchestrator = createOrchestrator({
    store,
    host: lazyHost(host, hostOptions, { log, ...(tools ? { tools } : {}) }), // imported on first use: initialize never waits on it
    hostName: host.name,
    hostSupportsSteer,
    maxQueued: config.maxQueued,
    maxItemBytes: config.maxItemBytes,
    maxPromptBytes: config.maxPromptBytes,
    maxLoadedEngines: config.maxLoadedEngines,
    approvalTimeoutMs: config.approvalTimeoutMs,
    leaseTtlMs: config.leaseTtlMs,
    ...(autoCompactAt ? { autoCompactAt: Number(autoCompactAt) } : {}),
    threadTools,
    log,
  });
  // Read-only: no recovery and no owner row (both write); no turn can start, so neither is needed.
  let recovered = 0;
  try {
    if (!config.readOnly) recovered = await orchestrator.recover();
  } catch (error) {
    await store.close();
    throw new UsageError(`cannot open database ${dbPath}: ${(error as Error).message}`);
  }
  return { config, log, dbPath, host, hostSupportsSteer, store, orchestrator, recovered, tools };
}

/**
 * The process-level hooks of a front end: an in-process host's stray timer or promise must not
 * take the server (and every thread) down; signals stop it gracefully, and so does a client gone
 * mid-write (EPIPE must not kill it before it has shut down cleanly).
 */
export function installProcessHooks(log: Logger, stop: (exitCode: number) => void): void {
  process.on('uncaughtException', (error) => log.error('uncaught exception (a host bug?)', { error }));
  process.on('unhandledRejection', (error) => log.error('unhandled rejection (a host bug?)', { error }));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  process.stdout.on('error', () => stop(0));
}
