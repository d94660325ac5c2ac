import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
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
  const child = spawn(process.execPath, nodeArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  child.stdin!.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  return {
    child,
    pid: child.pid!,
    connection,
    exited,
    stderr: () => stderr,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      connection.dispose();
    },
  };
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
