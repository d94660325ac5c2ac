import { BUILTIN_HOSTS } from '../host/load.js';
import { monotonicMs } from '../rpc/clock.js';
import { startRpcServer } from '../rpc/server.js';
import { VERSION } from '../version.js';
import { installProcessHooks, openBackend } from './open-backend.js';

/**
 * Shutdown answers every request it read before it exits, however long the store takes (at most
 * MAX_IN_FLIGHT of them); this cap, from the moment shutdown begins to the database closing, only
 * keeps a hung request (or a client that never reads its answers) from holding the process forever.
 */
const SHUTDOWN_CAP_MS = 120_000;

/** `threadline serve`: one client on stdin/stdout until it shuts down or goes away. */
export async function serve(args: string[]): Promise<void> {
  const { config, log, dbPath, host, hostSupportsSteer, store, orchestrator, recovered, tools } = await openBackend(args);
  log.info('threadline serving', { version: VERSION, db: dbPath, readOnly: config.readOnly, host: host.name, durability: config.durability, framing: config.framing, recovered });

  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const shutdown = async () => {
      const deadline = monotonicMs() + SHUTDOWN_CAP_MS;
      // Requests received before the close are answered first, before turns are interrupted;
      // all but turn/wait (and shutdown), which wait for the interruption that follows.
      await rpc.settle(deadline, { exceptWaits: true });
      if (!config.readOnly) await orchestrator.shutdown(); // running turns end `interrupted`; turn/wait callers get them
      await tools?.close(); // MCP servers: stdio children are ended, not left to notice stdin closing
      await rpc.settle(deadline);
    };
    void shutdown()
      .catch((error: unknown) => log.error('shutdown failed', { error }))
      .then(() => store.close())
      .catch((error: unknown) => log.error('closing the database failed', { error }))
      .finally(() => {
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
    steer: hostSupportsSteer,
    ...(tools ? { mcp: tools } : {}),
    stop,
    readOnly: config.readOnly,
  });
  installProcessHooks(log, stop);
}
