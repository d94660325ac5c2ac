import { Readable, Writable } from 'node:stream';
import * as acpSdk from '@agentclientprotocol/sdk';
import { acpAgent } from '../acp/agent.js';
import { VERSION } from '../version.js';
import { UsageError } from './args.js';
import { installProcessHooks, openBackend } from './open-backend.js';

/**
 * `threadline acp`: an ACP v1 agent on stdin/stdout (NDJSON) over the same store, hosts, inbox
 * and leases as `serve`, with the same flags. stdout carries ACP messages only; logs go to stderr.
 */
export async function acp(args: string[]): Promise<void> {
  if (args.includes('--read-only')) throw new UsageError('--read-only is an option of serve, not acp');
  const { log, dbPath, host, store, orchestrator, recovered, tools } = await openBackend(args);
  log.info('threadline acp', { version: VERSION, db: dbPath, host: host.name, recovered });

  const stream = acpSdk.ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>);
  const connection = acpAgent({ orchestrator, log, version: VERSION }).connect(stream);

  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    void orchestrator
      .shutdown() // running turns end `interrupted`; their prompts answer `cancelled` if the pipe is still open
      .then(() => tools?.close())
      .catch((error: unknown) => log.error('shutdown failed', { error }))
      .then(() => store.close())
      .catch((error: unknown) => log.error('closing the database failed', { error }))
      .finally(() => {
        log.info('threadline acp stopped');
        process.exit(exitCode);
      });
  };
  void connection.closed.then(() => stop(0));
  installProcessHooks(log, stop);
}
