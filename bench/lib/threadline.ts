import { mkdirSync } from 'node:fs';
import { ThreadlineClient } from '@threadline/protocol';
import { spawnPeer, unlessCrashed, type Peer } from './peer.js';
import { BIN, PROFILES } from './paths.js';

export interface ServerOptions {
  db: string;
  durability?: 'full' | 'normal';
  /** More `serve` flags, e.g. `['--max-queued', '1000000']`. */
  args?: string[];
  /** Write a V8 CPU profile of the server to bench/profiles/<name>.cpuprofile (on graceful exit). */
  profile?: string;
}

export interface Server extends Peer {
  client: ThreadlineClient;
  /** `shutdown` + `exit` (so a CPU profile gets written), SIGKILL after 10 s. */
  close(): Promise<void>;
}

/** Node arguments that run `bin/threadline serve` exactly as an IDE would (plus the profiler). */
export function serverArgs(o: ServerOptions): string[] {
  const profiler = o.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`, `--cpu-prof-name=${o.profile}.cpuprofile`]
    : [];
  if (o.profile) mkdirSync(PROFILES, { recursive: true });
  return [
    ...profiler,
    BIN,
    'serve',
    '--db',
    o.db,
    '--durability',
    o.durability ?? 'full',
    '--log-level',
    'warn',
    ...(o.args ?? []),
  ];
}

/** Spawns the server and wraps it in a ThreadlineClient (not initialized yet). */
export function spawnServer(o: ServerOptions): Server {
  const peer = spawnPeer(serverArgs(o));
  const client = new ThreadlineClient(peer.connection);
  return {
    ...peer,
    client,
    close: async () => {
      if (peer.child.exitCode !== null || peer.child.signalCode !== null) return;
      const timer = setTimeout(() => peer.child.kill('SIGKILL'), 10_000);
      try {
        await client.shutdown();
      } catch {
        peer.child.kill('SIGKILL');
      }
      await peer.exited;
      clearTimeout(timer);
      client.dispose();
    },
  };
}

/** Spawns and initializes the server; fails with its stderr if it dies first. */
export async function startServer(o: ServerOptions): Promise<Server> {
  const server = spawnServer(o);
  await unlessCrashed(server, 'threadline', server.client.initialize({ clientInfo: { name: 'bench' } }));
  return server;
}
