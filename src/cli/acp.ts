import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as acpSdk from '@agentclientprotocol/sdk';
import { acpAgent } from '../acp/agent.js';
import { createLogger, routeConsoleToStderr } from '../log.js';
import { lazyHost, resolveHost } from '../host/load.js';
import { Orchestrator } from '../orchestrator/orchestrator.js';
import { openStore, type Store } from '../store/store.js';
import { VERSION } from '../version.js';
import { UsageError, parseServeArgs } from './args.js';

/** Hosts whose steer support is known without loading them (as in serve). */
const STEER_SUPPORT: Record<string, boolean> = { echo: true, exec: true, openai: true };

/**
 * `threadline acp`: an ACP v1 agent on stdin/stdout (NDJSON) over the same store, hosts, inbox
 * and leases as `serve`, with the same flags. stdout carries ACP messages only; logs go to stderr.
 */
export function acp(args: string[]): void {
  const config = parseServeArgs(args);
  const log = createLogger(config.logLevel);
  routeConsoleToStderr(); // a host's console.log must never corrupt the NDJSON on stdout (trap 8)
  const dbPath = config.db === ':memory:' ? ':memory:' : resolve(config.db);
  const host = resolveHost(config.host);
  let store: Store;
  try {
    store = openStore(dbPath, config.durability);
  } catch (error) {
    throw new UsageError(`cannot open database ${dbPath}: ${(error as Error).message}`);
  }
  const orchestrator = new Orchestrator({
    store,
    host: lazyHost(host, config.hostOptions, { log }),
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
  log.info('threadline acp', { version: VERSION, db: dbPath, host: host.name, recovered });

  const stream = acpSdk.ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>);
  const connection = acpAgent({ orchestrator, log, version: VERSION }).connect(stream);

  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    orchestrator
      .shutdown() // running turns end `interrupted`; their prompts answer `cancelled` if the pipe is still open
      .catch((error: unknown) => log.error('shutdown failed', { error }))
      .finally(() => {
        store.close();
        log.info('threadline acp stopped');
        process.exit(exitCode);
      });
  };
  void connection.closed.then(() => stop(0));
  process.on('uncaughtException', (error) => log.error('uncaught exception (a host bug?)', { error }));
  process.on('unhandledRejection', (error) => log.error('unhandled rejection (a host bug?)', { error }));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  process.stdout.on('error', () => stop(0));
}
