/** How the server process ended (`null`s when it never started or is not a process we spawned). */
export interface ServerExit {
  exitCode: number | null;
  signal: string | null;
  /** The server's last stderr lines (its start-up failure is one line; empty when none were seen). */
  stderrTail: string[];
}

/**
 * The connection to the server is gone: the process exited (or never started), its stdout closed,
 * or the client was disposed. Every request pending at that moment, and every later one, rejects
 * with this error. Not a wire error: it has no JSON-RPC code.
 */
export class ServerExitedError extends Error implements ServerExit {
  override readonly name = 'ServerExitedError';
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string[];

  constructor(message: string, exit: Partial<ServerExit> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exit.exitCode ?? null;
    this.signal = exit.signal ?? null;
    this.stderrTail = exit.stderrTail ?? [];
  }

  /** "threadline exited with code 2: threadline: host "x" not found", from what the process left. */
  static fromExit(exit: ServerExit, what = 'the threadline server'): ServerExitedError {
    const how =
      exit.signal !== null ? `was killed by ${exit.signal}` : exit.exitCode !== null ? `exited with code ${exit.exitCode}` : 'closed the connection';
    const said = exit.stderrTail.length > 0 ? `: ${exit.stderrTail.slice(-5).join('\n')}` : '';
    return new ServerExitedError(`${what} ${how}${said}`, exit);
  }
}
