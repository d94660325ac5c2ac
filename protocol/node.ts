import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, type Logger } from 'vscode-jsonrpc/node';
import { ThreadlineClient } from './client.js';
import { ServerExitedError } from './server-exited.js';
import { FramedMessageReader, FramedMessageWriter, type Framing } from './framing.js';
import type { ParamsOf, ResultOf } from './methods.js';
import { resolveNodeExecutable } from './resolve-node.js';
import { StderrLines } from './stderr-lines.js';

export { FramedMessageReader, FramedMessageWriter, RawJson, DEFAULT_MAX_MESSAGE_BYTES } from './framing.js';
export type { Framing, FramingOptions, RejectedMessage } from './framing.js';
export { resolveNodeExecutable, NodeNotFoundError, type NodeRuntime } from './resolve-node.js';

export interface SpawnThreadlineOptions {
  /** Path of the `bin/threadline` script, run with `node`; default: the `threadline` command on PATH. */
  bin?: string;
  /**
   * The Node.js (>= 20) that runs `bin`. Default: this process's executable when it is Node itself;
   * inside Electron (a VS Code extension host), Bun or Deno, the first `node` on PATH.
   */
  node?: string;
  /** Node options for the server process when `bin` is given, e.g. `['--cpu-prof']`. */
  execArgv?: string[];
  /** Arguments after `serve`, e.g. `['--db', path]`. */
  args?: string[];
  framing?: Framing;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Where the server's log lines go besides `onStderr`: 'inherit' (default) copies them to this
   * process's stderr; 'pipe' leaves them on `process.stderr` of the result for you to read too
   * (listeners added after spawnThreadline resolves miss what came before; use `onStderr`);
   * 'ignore' shows them nowhere. The last lines are kept for ServerExitedError in every case.
   */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  /** Each line the server writes to stderr (an IDE shows them in an output channel). */
  onStderr?: (line: string) => void;
  /** Send `initialize` with these params (true: defaults); false: leave it to the caller. */
  initialize?: boolean | Partial<ParamsOf<'initialize'>>;
  /** Receives vscode-jsonrpc's own diagnostics; default: silent. */
  logger?: Logger;
}

export interface SpawnedThreadline {
  client: ThreadlineClient;
  process: ChildProcess;
  /** Resolves when the server process has exited (or failed to start: both null). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Calls `listener` once with the ServerExitedError (exit code, signal, stderr tail) when the server is gone. */
  onClose(listener: (error: ServerExitedError) => void): { dispose(): void };
  initializeResult?: ResultOf<'initialize'>;
  /** Graceful stop (`shutdown` + `exit`), then SIGKILL if it is not gone within `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
}

/** Largest message the spawned server may send this client (its events and pages stay far below). */
const CLIENT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** After the exit, how long stderr may take to deliver its last lines (a grandchild may hold it open). */
const STDERR_DRAIN_MS = 1000;

const silent: Logger = { error() {}, warn() {}, info() {}, log() {} };

/**
 * Spawns `threadline serve` and returns a connected client (initialized unless told otherwise).
 * When the server exits — before answering `initialize` too — every pending and later request
 * rejects with a ServerExitedError that carries its exit code and last stderr lines.
 */
export async function spawnThreadline(options: SpawnThreadlineOptions = {}): Promise<SpawnedThreadline> {
  const framing = options.framing ?? 'lsp';
  const serveArgs = ['serve', ...(framing === 'lsp' ? [] : ['--framing', framing]), ...(options.args ?? [])];
  const [command, args] = options.bin
    ? [resolveNodeExecutable(options.node), [...(options.execArgv ?? []), options.bin, ...serveArgs]]
    : ['threadline', serveArgs];
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' });
  const stderrMode = options.stderr ?? 'inherit';
  const stderr = new StderrLines(options.onStderr);
  const stderrEnded = new Promise<void>((resolve) => child.stderr.once('close', resolve));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    if (stderrMode === 'inherit') process.stderr.write(chunk);
  });
  child.stderr.once('end', () => stderr.end());

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A process that never started emits 'error' and no 'exit'.
    child.once('error', () => child.pid === undefined && resolve({ code: null, signal: null }));
  });
  const closeReason = new Promise<ServerExitedError>((resolve) => {
    child.once('error', (error) => {
      if (child.pid !== undefined) return;
      resolve(new ServerExitedError(`could not start the threadline server (${command}): ${error.message}`, {}, { cause: error }));
    });
    void exited.then(async ({ code, signal }) => {
      await Promise.race([stderrEnded, new Promise((r) => setTimeout(r, STDERR_DRAIN_MS).unref())]);
      resolve(ServerExitedError.fromExit({ exitCode: code, signal, stderrTail: stderr.tail() }));
    });
  });
  // A server that is gone makes writes fail with EPIPE; the connection reports it, nobody crashes.
  child.stdin.on('error', () => {});
  const connection = createMessageConnection(
    // The cap guards a server against hostile input; from its own server a client takes more.
    new FramedMessageReader(child.stdout, { framing, maxMessageBytes: CLIENT_MAX_MESSAGE_BYTES }),
    new FramedMessageWriter(child.stdin, framing),
    options.logger ?? silent,
  );
  const client = new ThreadlineClient(connection, { closeReason });
  const close = async (timeoutMs = 5000) => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        await Promise.race([client.shutdown(), exited]);
      } catch {
        child.kill('SIGKILL');
      }
      await exited;
      clearTimeout(timer);
    }
    client.dispose();
  };
  const spawned: SpawnedThreadline = {
    client,
    process: child,
    exited,
    onClose: (listener) => client.onClose(listener),
    close,
  };
  if (options.initialize !== false) {
    const params = typeof options.initialize === 'object' ? options.initialize : {};
    try {
      spawned.initializeResult = await client.initialize(params);
    } catch (error) {
      if (!(error instanceof ServerExitedError)) await close(1000);
      throw error;
    }
  }
  return spawned;
}
