import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  type MessageReader,
  type MessageWriter,
} from 'vscode-jsonrpc/node';
import type { Readable, Writable } from 'node:stream';
import { BASELINES_DIST } from './paths.js';

/**
 * A child process spoken to over vscode-jsonrpc on its stdio. Threadline and every baseline are
 * driven through this same client stack, so the client's own cost is the same on both sides.
 */
export interface Peer {
  child: ChildProcess;
  pid: number;
  /** Not listening yet: register handlers (or wrap it in a ThreadlineClient), then listen. */
  connection: MessageConnection;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines the process wrote to stderr (for crash reports). */
  stderr(): string;
  kill(): Promise<void>;
}

export function spawnPeer(nodeArgs: string[]): Peer {
  return spawnProcess(process.execPath, nodeArgs);
}

/** Where and how to start a non-Node peer (bench/peers/: Codex's native app-server). */
export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Own process group: kill() then signals the whole group, so no grandchild outlives the bench. */
  detached?: boolean;
  /** Message framing on stdio; default vscode-jsonrpc's Content-Length headers. */
  framing?: (stdout: Readable, stdin: Writable) => [MessageReader, MessageWriter];
}

/** Any program speaking JSON-RPC on its stdio, through the same client stack as spawnPeer. */
export function spawnProcess(command: string, args: string[], options: SpawnOptions = {}): Peer {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env, cwd: options.cwd, detached: options.detached });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  child.stdin!.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const [reader, writer] = options.framing
    ? options.framing(child.stdout!, child.stdin!)
    : [new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!)];
  const connection = createMessageConnection(reader, writer);
  return {
    child,
    pid: child.pid!,
    connection,
    exited,
    stderr: () => stderr,
    kill: async () => {
      if (options.detached) killGroup(child.pid!);
      else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      connection.dispose();
    },
  };
}

/** SIGKILLs a whole process group; a group already gone is not an error. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: every member has exited
  }
}

/** A bundled baseline program from bench/baselines/ (see lib/build.ts). */
export function spawnBaseline(name: string, args: string[] = []): Peer {
  return spawnPeer([join(BASELINES_DIST, `${name}.cjs`), ...args]);
}

/** Fails with the child's stderr when it exits before `work` settles: a crash is never a number. */
export async function unlessCrashed<T>(peer: Peer, what: string, work: Promise<T>): Promise<T> {
  let settled = false;
  const crashed = peer.exited.then(({ code, signal }): never => {
    if (settled) return undefined as never;
    throw new Error(`${what} exited (code ${code}, signal ${signal}) mid-benchmark:\n${peer.stderr()}`);
  });
  try {
    return await Promise.race([work, crashed]);
  } finally {
    settled = true;
  }
}
