import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { BIN } from './server.js';
import { testDb } from './test-db.js';

export type RawFraming = 'lsp' | 'ndjson';

/** One JSON-RPC message as it came off the wire (a response, a notification or a request). */
export interface RawMessage {
  jsonrpc?: unknown;
  id?: string | number | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: { kind?: unknown; [key: string]: unknown } };
}

export interface RawStartOptions {
  framing?: RawFraming;
  /** Extra arguments after `serve --db <path> [--framing ndjson]`. */
  args?: string[];
  /** By default the test fails when the server logged an ERROR line (such a line means a bug). */
  allowErrorLogs?: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `bin/threadline serve` spoken to in raw bytes. Its stdout is parsed here with a deliberately
 * strict framing parser of its own (not the server's reader, which is what it checks): any byte
 * that is not part of a well-formed frame is recorded in `violations` and fails `next()`.
 */
export class RawServer {
  readonly child: ChildProcess;
  readonly stderr: string[] = [];
  /** `thread/event` notifications that `next()` skipped. */
  readonly events: RawMessage[] = [];
  /** Every framing problem seen on stdout; empty on a well-behaved server. */
  readonly violations: string[] = [];
  /** Total bytes the server wrote to stdout, and how many of them were parsed into messages. */
  bytesOut = 0;
  bytesParsed = 0;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the process has exited and its stdout and stderr are fully read. */
  readonly closed: Promise<void>;
  private buffer = Buffer.alloc(0);
  /** Chunks not yet joined to `buffer`: a large frame is joined once, when it is complete. */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** Bytes `buffer` must hold before the frame at its start can be taken. */
  private needed = 0;
  private readonly queue: RawMessage[] = [];
  private wake: (() => void) | undefined;
  private exitInfo: string | undefined;

  constructor(
    readonly framing: RawFraming,
    args: string[],
  ) {
    this.child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.on('error', () => {});
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(...chunk.split('\n').filter(Boolean)));
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.bytesOut += chunk.length;
      this.chunks.push(chunk);
      this.chunkBytes += chunk.length;
      if (this.buffer.length + this.chunkBytes < this.needed) return;
      this.buffer = Buffer.concat([this.buffer, ...this.chunks]);
      this.chunks = [];
      this.chunkBytes = 0;
      this.parse();
      this.wake?.();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    // Only once stdout is fully read is "no more messages" certain.
    this.closed = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.exitInfo = `server exited (code ${code}, signal ${signal})`;
        this.wake?.();
        resolve();
      });
    });
  }

  /** True while the process runs. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Bytes received but not (yet) part of a complete frame. */
  get pendingBytes(): number {
    return this.buffer.length + this.chunkBytes;
  }

  /** Messages parsed and not yet taken by `next()`. */
  get queued(): number {
    return this.queue.length;
  }

  /** Writes bytes as they are: no framing added. */
  send(data: string | Buffer): void {
    this.child.stdin!.write(data);
  }

  /** Writes one body in the server's framing (`Content-Length` header, or a trailing newline). */
  frame(body: string | Buffer): void {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.send(
      this.framing === 'lsp'
        ? Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes])
        : Buffer.concat([bytes, Buffer.from('\n')]),
    );
  }

  /** Writes a well-formed request. */
  request(id: string | number, method: string, params?: unknown): void {
    this.frame(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
  }

  /** Writes a well-formed notification. */
  notify(method: string, params?: unknown): void {
    this.frame(JSON.stringify({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) }));
  }

  /** Sends a request and returns the next message that is not an event (its response, in order). */
  async call(id: string | number, method: string, params?: unknown, timeoutMs?: number): Promise<RawMessage> {
    this.request(id, method, params);
    return this.next(timeoutMs);
  }

  /**
   * The next message from stdout, in order. `thread/event` notifications are skipped (kept in
   * `events`) unless `events: true`. Rejects on a framing violation, when the server exits, or
   * after `timeoutMs` without a message.
   */
  async next(timeoutMs = 5000, options: { events?: boolean } = {}): Promise<RawMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.queue.length > 0) {
        const message = this.queue.shift()!;
        if (!options.events && message.method === 'thread/event') this.events.push(message);
        else return message;
      }
      if (this.violations.length > 0) throw new Error(`malformed server output: ${this.violations.join('; ')}`);
      if (this.exitInfo) throw new Error(`${this.exitInfo} before the next message; stderr:\n${this.stderr.join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms (unparsed bytes: ${this.pendingBytes})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  private parse(): void {
    while (this.violations.length === 0) {
      const taken = this.framing === 'lsp' ? this.takeFrame() : this.takeLine();
      if (taken === undefined) return;
      this.bytesParsed += taken.consumed;
      this.accept(taken.body);
    }
  }

  /** One `Content-Length` frame: only `Content-Length` / `Content-Type` headers are allowed. */
  private takeFrame(): { body: Buffer; consumed: number } | undefined {
    const end = this.buffer.indexOf(HEADER_END);
    if (end < 0) {
      // A frame in progress starts with its header; anything else is stray output.
      if (this.buffer.length > 0 && (!/^c/i.test(this.buffer.subarray(0, 1).toString('latin1')) || this.buffer.length > 8192)) {
        this.violations.push(`bytes outside a frame: ${JSON.stringify(this.buffer.subarray(0, 200).toString('latin1'))}`);
      }
      return undefined;
    }
    let length: number | undefined;
    for (const line of this.buffer.subarray(0, end).toString('latin1').split('\r\n')) {
      const m = /^([A-Za-z-]+): *(.*)$/.exec(line);
      if (m && m[1]!.toLowerCase() === 'content-length' && /^\d+$/.test(m[2]!)) length = Number(m[2]);
      else if (!m || m[1]!.toLowerCase() !== 'content-type') {
        this.violations.push(`bad header line ${JSON.stringify(line.slice(0, 200))}`);
        return undefined;
      }
    }
    if (length === undefined) {
      this.violations.push('a header block without Content-Length');
      return undefined;
    }
    const start = end + HEADER_END.length;
    if (this.buffer.length < start + length) {
      this.needed = start + length;
      return undefined;
    }
    this.needed = 0;
    const body = this.buffer.subarray(start, start + length);
    this.buffer = this.buffer.subarray(start + length);
    return { body, consumed: start + length };
  }

  private takeLine(): { body: Buffer; consumed: number } | undefined {
    const newline = this.buffer.indexOf(10);
    if (newline < 0) return undefined;
    const body = this.buffer.subarray(0, newline);
    this.buffer = this.buffer.subarray(newline + 1);
    return { body, consumed: newline + 1 };
  }

  private accept(body: Buffer): void {
    let message: unknown;
    try {
      message = JSON.parse(utf8.decode(body));
    } catch (error) {
      this.violations.push(`a frame that is not UTF-8 JSON (${(error as Error).message}): ${JSON.stringify(body.subarray(0, 200).toString('latin1'))}`);
      return;
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message) || (message as RawMessage).jsonrpc !== '2.0') {
      this.violations.push(`a frame that is not a JSON-RPC 2.0 object: ${body.subarray(0, 200).toString('utf8')}`);
      return;
    }
    this.queue.push(message as RawMessage);
  }
}

/**
 * Spawns `process.execPath bin/threadline serve --db <tmp>/db.sqlite [--framing ndjson] [args]`
 * on a fresh temp database; after the test, SIGKILLs it and removes the directory.
 */
export async function startRaw(t: TestContext, options: RawStartOptions = {}): Promise<RawServer> {
  const framing = options.framing ?? 'lsp';
  const dir = mkdtempSync(join(tmpdir(), 'threadline-raw-'));
  const server = new RawServer(framing, [
    '--db',
    await testDb(join(dir, 'db.sqlite')),
    ...(framing === 'ndjson' ? ['--framing', 'ndjson'] : []),
    '--log-level',
    'debug',
    ...(options.args ?? []),
  ]);
  t.after(async () => {
    server.child.kill('SIGKILL');
    await server.closed;
    rmSync(dir, { recursive: true, force: true });
    const errors = server.stderr.filter((line) => line.includes(' ERROR '));
    if (errors.length > 0 && !options.allowErrorLogs) throw new Error(`the server logged errors:\n${errors.join('\n')}`);
  });
  return server;
}
