import { BUILTIN_HOSTS } from '../host/load.js';
import { startRpcServer } from '../rpc/server.js';
import { VERSION } from '../version.js';
import { installProcessHooks, openBackend } from './open-backend.js';

/** How long shutdown waits for requests in flight before it closes the database anyway. */
const SETTLE_MS = 2000;

/** `threadline serve`: one client on stdin/stdout until it shuts down or goes away. */
export async function serve(args: string[]): Promise<void> {
  const { config, log, dbPath, host, hostSupportsSteer, store, orchestrator, recovered, tools } = await openBackend(args);
  log.info('threadline serving', { version: VERSION, db: dbPath, readOnly: config.readOnly, host: host.name, durability: config.durability, framing: config.framing, recovered });

  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const shutdown = async () => {
      await rpc.settle(SETTLE_MS); // requests received before the close are still answered
      if (!config.readOnly) await orchestrator.shutdown(); // running turns end `interrupted`; turn/wait callers get them
      await tools?.close(); // MCP servers: stdio children are ended, not left to notice stdin closing
      await rpc.settle(SETTLE_MS);
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
