import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How much of an engine's stderr is kept for error messages. */
const STDERR_TAIL_BYTES = 2048;
/** After stdin closes, how long an engine gets to exit before SIGTERM, then SIGKILL. */
const EXIT_GRACE_MS = 2000;

/** How an engine process ended: its exit code (or signal) and the tail of its stderr. */
export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/**
 * One engine child process speaking NDJSON: `send` writes one JSON line to its stdin, `onMessage`
 * hears each line of its stdout parsed (or a protocol error), `exited` settles once it is gone.
 */
export class EngineProcess {
  readonly exited: Promise<EngineExit>;
  private readonly child: ChildProcess;
  private stderrTail = '';
  private gone = false;

  constructor(
    argv: string[],
    onMessage: (message: unknown) => void,
    onProtocolError: (problem: string) => void,
    onStderrLine: (line: string) => void,
  ) {
    const [command, ...args] = argv;
    this.child = spawn(command!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        this.gone = true;
        resolve({ code, signal, stderrTail: this.stderrTail.trim() });
      };
      this.child.once('error', (error) => {
        this.stderrTail += `${error.message}\n`;
        if (this.child.pid === undefined) finish(null, null); // never started: no 'close' follows
      });
      this.child.once('close', finish);
    });
    this.child.stdin!.on('error', () => undefined); // a dead engine's EPIPE shows as its exit instead
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (line.trim() === '') return;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        onProtocolError(`the engine wrote a line that is not JSON: ${line.slice(0, 200)}`);
        return;
      }
      onMessage(message);
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.stderrTail = `${this.stderrTail}${line}\n`.slice(-STDERR_TAIL_BYTES);
      onStderrLine(line);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.gone;
  }

  send(message: Record<string, unknown>): void {
    if (this.gone || !this.child.stdin!.writable) return;
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /** Closes stdin (the engine's cue to exit), then escalates; resolves once the process is gone. */
  async stop(): Promise<EngineExit> {
    this.child.stdin!.end();
    const term = setTimeout(() => this.child.kill('SIGTERM'), EXIT_GRACE_MS);
    const kill = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS * 2);
    const exit = await this.exited;
    clearTimeout(term);
    clearTimeout(kill);
    return exit;
  }
}

export function describeExit(exit: EngineExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : exit.code === null ? 'could not be started' : `exited with code ${exit.code}`;
  return `the engine process ${how}${exit.stderrTail ? `; stderr: ${exit.stderrTail}` : ''}`;
}
