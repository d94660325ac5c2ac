import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from './line-splitter.js';

/** How much of an engine's stderr is kept for error messages. */
const STDERR_TAIL_BYTES = 2048;
/** A longer stderr line is logged cut (its log is for people; its tail for error messages). */
const STDERR_LINE_BYTES = 8192;
/** After stdin closes, how long an engine gets to exit before SIGTERM, then SIGKILL. */
const EXIT_GRACE_MS = 2000;

/** How an engine process ended: its exit code (or signal) and the tail of its stderr. */
export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

export interface EngineProcessOptions {
  argv: string[];
  /** The whole environment the engine gets (see environment.ts). */
  env: NodeJS.ProcessEnv;
  /** The longest stdout line accepted; a longer one is a protocol error and the engine is killed. */
  maxLineBytes: number;
  onMessage: (message: unknown) => void;
  onProtocolError: (problem: string) => void;
  onStderrLine: (line: string) => void;
}

/**
 * One engine child process speaking NDJSON: `send` writes one JSON line to its stdin, `onMessage`
 * hears each line of its stdout parsed (or a protocol error), `exited` settles once it is gone.
 * Neither output stream is ever buffered beyond a bounded line.
 */
export class EngineProcess {
  readonly exited: Promise<EngineExit>;
  private readonly child: ChildProcess;
  private stderrTail = '';
  private gone = false;

  constructor(o: EngineProcessOptions) {
    const [command, ...args] = o.argv;
    this.child = spawn(command!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: o.env });
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
    const stdout = new LineSplitter(
      o.maxLineBytes,
      (line) => {
        if (line.trim() === '') return;
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          o.onProtocolError(`the engine wrote a line that is not JSON: ${line.slice(0, 200)}`);
          return;
        }
        o.onMessage(message);
      },
      () => {
        // Stop reading (its next write fails with EPIPE) and end it now: it is not speaking NDJSON.
        this.child.stdout!.destroy();
        this.child.kill('SIGTERM');
        o.onProtocolError(`the engine wrote a line longer than ${o.maxLineBytes} bytes (the exec host's maxLineBytes option) without a newline`);
      },
    );
    this.child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk)).on('end', () => stdout.end());
    const stderrLine = (line: string) => {
      this.stderrTail = `${this.stderrTail}${line}\n`.slice(-STDERR_TAIL_BYTES);
      o.onStderrLine(line);
    };
    const stderr = new LineSplitter(STDERR_LINE_BYTES, stderrLine, (head) => stderrLine(`${head}… (cut at ${STDERR_LINE_BYTES} bytes)`));
    this.child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk)).on('end', () => stderr.end());
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
