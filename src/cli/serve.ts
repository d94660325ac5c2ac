import { resolve } from 'node:path';
import { createLogger, routeConsoleToStderr } from '../log.js';
import { BUILTIN_HOSTS, lazyHost, resolveHost } from '../host/load.js';
import { Orchestrator } from '../orchestrator/orchestrator.js';
import { startRpcServer } from '../rpc/server.js';
import { openStore, type Store } from '../store/store.js';
import { VERSION } from '../version.js';
import { UsageError, parseServeArgs } from './args.js';

/** How long shutdown waits for requests in flight before it closes the database anyway. */
const SETTLE_MS = 2000;

/** Hosts whose steer support is known without loading them. */
const STEER_SUPPORT: Record<string, boolean> = { echo: true, exec: true, openai: true };

/** `threadline serve`: one client on stdin/stdout until it shuts down or goes away. */
export function serve(args: string[]): void {
  const config = parseServeArgs(args);
  const log = createLogger(config.logLevel);
  routeConsoleToStderr(); // a host's console.log must never corrupt the protocol on stdout
  const dbPath = config.db === ':memory:' ? ':memory:' : resolve(config.db);
  const host = resolveHost(config.host); // a host that cannot be found exits 2 here, before any client waits
  let store: Store;
  try {
    store = openStore(dbPath, config.durability);
  } catch (error) {
    throw new UsageError(`cannot open database ${dbPath}: ${(error as Error).message}`);
  }
  const orchestrator = new Orchestrator({
    store,
    host: lazyHost(host, config.hostOptions, { log }), // imported on first use: initialize never waits on it
    hostName: host.name,
    hostSupportsSteer: STEER_SUPPORT[host.name] ?? true,
    maxQueued: config.maxQueued,
    maxItemBytes: config.maxItemBytes,
    maxPromptBytes: config.maxPromptBytes,
    maxLoadedEngines: config.maxLoadedEngines,
    approvalTimeoutMs: config.approvalTimeoutMs,
    leaseTtlMs: config.leaseTtlMs,
    log,
  });
  let recovered: number;
  try {
    recovered = orchestrator.recover();
  } catch (error) {
    store.close();
    throw new UsageError(`cannot open database ${dbPath}: ${(error as Error).message}`);
  }
  log.info('threadline serving', { version: VERSION, db: dbPath, host: host.name, durability: config.durability, framing: config.framing, recovered });

  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const shutdown = async () => {
      await rpc.settle(SETTLE_MS); // requests received before the close are still answered
      await orchestrator.shutdown(); // running turns end `interrupted`; turn/wait callers get them
      await rpc.settle(SETTLE_MS);
    };
    shutdown()
      .catch((error: unknown) => log.error('shutdown failed', { error }))
      .finally(() => {
        store.close();
        log.info('threadline stopped');
        process.exit(exitCode);
      });
  };
  const rpc = startRpcServer({
    input: process.stdin,
    output: process.stdout,
    framing: config.framing,
    maxMessageBytes: config.maxMessageBytes,
    orchestrator,
    log,
    version: VERSION,
    dbPath,
    hosts: [...Object.keys(BUILTIN_HOSTS), ...(BUILTIN_HOSTS[host.name] ? [] : [host.name])],
    steer: STEER_SUPPORT[host.name] ?? true,
    stop,
  });
  // An in-process host's stray timer or promise must not take the server (and every thread) down.
  process.on('uncaughtException', (error) => log.error('uncaught exception (a host bug?)', { error }));
  process.on('unhandledRejection', (error) => log.error('unhandled rejection (a host bug?)', { error }));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  // A client gone mid-write must not kill the server with EPIPE before it has shut down cleanly.
  process.stdout.on('error', () => stop(0));
}
