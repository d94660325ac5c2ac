import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, type Logger } from 'vscode-jsonrpc/node';
import { ThreadlineClient } from './client.js';
import { FramedMessageReader, FramedMessageWriter, type Framing } from './framing.js';
import type { ParamsOf, ResultOf } from './methods.js';

export { FramedMessageReader, FramedMessageWriter, RawJson, DEFAULT_MAX_MESSAGE_BYTES } from './framing.js';
export type { Framing, FramingOptions, RejectedMessage } from './framing.js';

export interface SpawnThreadlineOptions {
  /** Path of the `bin/threadline` script to run with this Node; default: `threadline` on PATH. */
  bin?: string;
  /** Node options for the server process when `bin` is given, e.g. `['--cpu-prof']`. */
  execArgv?: string[];
  /** Arguments after `serve`, e.g. `['--db', path]`. */
  args?: string[];
  framing?: Framing;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the server's log lines go (default: this process's stderr). */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  /** Send `initialize` with these params (true: defaults); false: leave it to the caller. */
  initialize?: boolean | Partial<ParamsOf<'initialize'>>;
  /** Receives vscode-jsonrpc's own diagnostics; default: silent. */
  logger?: Logger;
}

export interface SpawnedThreadline {
  client: ThreadlineClient;
  process: ChildProcess;
  /** Resolves when the server process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  initializeResult?: ResultOf<'initialize'>;
  /** Graceful stop (`shutdown` + `exit`), then SIGKILL if it is not gone within `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
}

/** Largest message the spawned server may send this client (its events and pages stay far below). */
const CLIENT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

const silent: Logger = { error() {}, warn() {}, info() {}, log() {} };

/** Spawns `threadline serve` and returns a connected client (initialized unless told otherwise). */
export async function spawnThreadline(options: SpawnThreadlineOptions = {}): Promise<SpawnedThreadline> {
  const framing = options.framing ?? 'lsp';
  const serveArgs = ['serve', ...(framing === 'lsp' ? [] : ['--framing', framing]), ...(options.args ?? [])];
  const [command, args] = options.bin
    ? [process.execPath, [...(options.execArgv ?? []), options.bin, ...serveArgs]]
    : ['threadline', serveArgs];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', options.stderr ?? 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  // A server that is gone makes writes fail with EPIPE; the connection reports it, nobody crashes.
  child.stdin!.on('error', () => {});
  const connection = createMessageConnection(
    // The cap guards a server against hostile input; from its own server a client takes more.
    new FramedMessageReader(child.stdout!, { framing, maxMessageBytes: CLIENT_MAX_MESSAGE_BYTES }),
    new FramedMessageWriter(child.stdin!, framing),
    options.logger ?? silent,
  );
  const client = new ThreadlineClient(connection);
  const close = async (timeoutMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      await Promise.race([client.shutdown(), exited]);
    } catch {
      child.kill('SIGKILL');
    }
    await exited;
    clearTimeout(timer);
    client.dispose();
  };
  const spawned: SpawnedThreadline = { client, process: child, exited, close };
  if (options.initialize !== false) {
    const params = typeof options.initialize === 'object' ? options.initialize : {};
    spawned.initializeResult = await Promise.race([client.initialize(params), spawnError]);
  }
  return spawned;
}
