import {
  AbstractMessageReader,
  AbstractMessageWriter,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageReader,
  type MessageWriter,
} from 'vscode-jsonrpc/node';
import { ErrorCodes } from './errors.js';

/** `lsp`: `Content-Length: N\r\n\r\n` + UTF-8 JSON (the default). `ndjson`: one JSON message per line. */
export type Framing = 'lsp' | 'ndjson';

/** A message that could not be delivered: what the peer should be told, and the request id if readable. */
export interface RejectedMessage {
  code: typeof ErrorCodes.ParseError | typeof ErrorCodes.InvalidRequest;
  message: string;
  id: string | number | null;
}

export interface FramingOptions {
  framing: Framing;
  /** Frames larger than this are discarded unparsed and answered -32600 (default 8 MiB). */
  maxMessageBytes?: number;
  /** Called for every frame that is not a valid JSON-RPC 2.0 message; the reader then goes on. */
  onRejected?: (rejected: RejectedMessage) => void;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
const MAX_HEADER_BYTES = 8 * 1024;
const ID_PROBE_BYTES = 4 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('content-length');

/**
 * Reads framed JSON-RPC messages and never gives up on the stream: garbage, oversized frames,
 * bad UTF-8 and messages of the wrong shape are reported through `onRejected` and skipped, so
 * the next valid message is served. vscode-jsonrpc's own reader has no size limit and answers
 * nothing to a parse error, which is why the framing lives here.
 */
export class FramedMessageReader extends AbstractMessageReader implements MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  /**
   * Chunks that cannot complete the message `buffer` begins, kept unjoined: joining each chunk as
   * it came copied a 2.5 MB answer (64 KB a chunk) ~40 times over, 50 MB per message.
   */
  private unjoined: Buffer[] = [];
  private unjoinedBytes = 0;
  /** What the message at the start of `buffer` still needs: its whole length (lsp), a newline (ndjson). */
  private awaiting: number | 'newline' | undefined;
  private callback: DataCallback | undefined;
  /** (lsp) An oversized frame being thrown away as it arrives; its first bytes are kept to find its id. */
  private oversized: { length: number; remaining: number; probe: Buffer; reported: boolean } | undefined;
  /** (ndjson) Inside an oversized line: drop everything up to its end. */
  private skippingLine = false;
  private readonly maxMessageBytes: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Size in bytes of the message being delivered (read it in the callback): for flow control. */
  lastMessageBytes = 0;
  /** Set by `pause()`: no message is delivered and the stream is not read until `resume()`. */
  private paused = false;
  /** The stream ended while paused with messages still unread; the close is reported after them. */
  private endedWhilePaused = false;

  constructor(
    private readonly readable: NodeJS.ReadableStream,
    private readonly options: FramingOptions,
  ) {
    super();
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string) => this.receive(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const onEnd = () => {
      if (this.paused) this.endedWhilePaused = true;
      else this.fireClose();
    };
    const onError = (error: Error) => this.fireError(error);
    this.readable.on('data', onData);
    this.readable.on('end', onEnd);
    this.readable.on('close', onEnd);
    this.readable.on('error', onError);
    return {
      dispose: () => {
        this.readable.off('data', onData);
        this.readable.off('end', onEnd);
        this.readable.off('close', onEnd);
        this.readable.off('error', onError);
      },
    };
  }

  /**
   * Stops delivering messages and reading the stream (what is already buffered waits here), so a
   * peer that sends faster than it is served is held back by the pipe instead of our memory.
   */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.readable.pause();
  }

  /** Delivers what waited since `pause()`, then reads the stream again. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.drain();
    if (this.paused) return; // a delivered message paused us again
    this.readable.resume();
    if (this.endedWhilePaused) {
      this.endedWhilePaused = false;
      this.fireClose();
    }
  }

  get isPaused(): boolean {
    return this.paused;
  }

  private receive(chunk: Buffer): void {
    const held = this.buffer.length + this.unjoinedBytes + chunk.length;
    const incomplete =
      this.awaiting === 'newline'
        ? held <= this.maxMessageBytes && chunk.indexOf(10) < 0 // past the limit: drainLines rejects it
        : this.awaiting !== undefined && held < this.awaiting;
    if (incomplete) {
      this.unjoined.push(chunk);
      this.unjoinedBytes += chunk.length;
      return;
    }
    this.buffer = this.buffer.length === 0 && this.unjoined.length === 0 ? chunk : Buffer.concat([this.buffer, ...this.unjoined, chunk], held);
    this.unjoined = [];
    this.unjoinedBytes = 0;
    this.awaiting = undefined;
    this.drain();
  }

  private drain(): void {
    if (this.options.framing === 'lsp') this.drainHeaderFrames();
    else this.drainLines();
  }

  private drainHeaderFrames(): void {
    while (!this.paused) {
      if (this.oversized && !this.discardOversized(this.oversized)) return;
      if (this.skipBareJsonLine()) continue;
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buffer.length > MAX_HEADER_BYTES) this.skipGarbage();
        return;
      }
      const length = parseContentLength(this.buffer.subarray(0, end).toString('latin1'));
      const bodyStart = end + HEADER_END.length;
      if (length === undefined) {
        this.buffer = this.buffer.subarray(bodyStart);
        this.reject(ErrorCodes.ParseError, 'Parse error: a frame without a valid Content-Length header', null);
        continue;
      }
      if (length > this.maxMessageBytes) {
        this.buffer = this.buffer.subarray(bodyStart);
        this.oversized = { length, remaining: length, probe: Buffer.alloc(0), reported: false };
        continue;
      }
      if (this.buffer.length < bodyStart + length) {
        this.awaiting = bodyStart + length;
        return;
      }
      const body = this.buffer.subarray(bodyStart, bodyStart + length);
      this.buffer = this.buffer.subarray(bodyStart + length);
      this.deliver(body);
    }
  }

  /**
   * Throws away what has arrived of an oversized frame, answering it once its id is readable
   * (its first bytes are in) — header and body often arrive in separate chunks. True when done.
   */
  private discardOversized(o: NonNullable<typeof this.oversized>): boolean {
    const n = Math.min(o.remaining, this.buffer.length);
    if (!o.reported) {
      o.probe = Buffer.concat([o.probe, this.buffer.subarray(0, Math.min(n, ID_PROBE_BYTES - o.probe.length))]);
    }
    this.buffer = this.buffer.subarray(n);
    o.remaining -= n;
    if (!o.reported && (o.probe.length >= ID_PROBE_BYTES || o.remaining === 0)) {
      o.reported = true;
      this.rejectOversized(o.length, o.probe);
    }
    if (o.remaining > 0) return false;
    this.oversized = undefined;
    return true;
  }

  /**
   * A header block never starts with `{` or `[`: that is a person (or a script) typing one JSON
   * message per line at an LSP-framed server. Without this it would wait for a header end that
   * never comes; instead the line is dropped and answered with the flag that reads it.
   */
  private skipBareJsonLine(): boolean {
    let i = 0;
    while (i < this.buffer.length && (this.buffer[i] === 0x20 || this.buffer[i] === 0x09 || this.buffer[i] === 0x0d || this.buffer[i] === 0x0a)) i++;
    if (i >= this.buffer.length || (this.buffer[i] !== 0x7b && this.buffer[i] !== 0x5b)) return false;
    const newline = this.buffer.indexOf(10, i);
    if (newline < 0) return false;
    // A body left over from a bad frame may run into the next frame's header on the same line.
    if (/content-length/i.test(this.buffer.subarray(i, newline).toString('latin1'))) return false;
    this.buffer = this.buffer.subarray(newline + 1);
    this.reject(
      ErrorCodes.ParseError,
      'Parse error: this is LSP framing (a Content-Length header before each message); for one JSON message per line start the server with --framing ndjson',
      null,
    );
    return true;
  }

  /** A header section that never ends: drop it up to the next plausible frame start. */
  private skipGarbage(): void {
    const lower = Buffer.from(this.buffer.toString('latin1').toLowerCase(), 'latin1');
    const next = lower.indexOf(CONTENT_LENGTH, 1);
    this.buffer = next > 0 ? this.buffer.subarray(next) : this.buffer.subarray(this.buffer.length - 16);
    this.reject(ErrorCodes.ParseError, 'Parse error: garbage on the input stream was skipped', null);
  }

  private drainLines(): void {
    while (!this.paused) {
      const newline = this.buffer.indexOf(10);
      if (this.skippingLine) {
        if (newline < 0) {
          this.buffer = Buffer.alloc(0);
          return;
        }
        this.buffer = this.buffer.subarray(newline + 1);
        this.skippingLine = false;
        continue;
      }
      if (newline < 0) {
        if (this.buffer.length > this.maxMessageBytes) {
          this.rejectOversized(undefined, this.buffer.subarray(0, ID_PROBE_BYTES));
          this.buffer = Buffer.alloc(0);
          this.skippingLine = true;
        } else {
          this.awaiting = 'newline';
        }
        return;
      }
      let line = this.buffer.subarray(0, newline);
      this.buffer = this.buffer.subarray(newline + 1);
      if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
      if (line.length > this.maxMessageBytes) {
        this.rejectOversized(line.length, line.subarray(0, ID_PROBE_BYTES));
        continue;
      }
      if (isBlank(line)) continue;
      this.deliver(line);
    }
  }

  private deliver(body: Buffer): void {
    let text: string;
    let value: unknown;
    try {
      text = this.decoder.decode(body);
    } catch {
      this.reject(ErrorCodes.ParseError, 'Parse error: the message is not valid UTF-8', null);
      return;
    }
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.reject(ErrorCodes.ParseError, `Parse error: ${(error as Error).message}`, null);
      return;
    }
    const problem = shapeProblem(value);
    if (problem) {
      this.reject(ErrorCodes.InvalidRequest, `Invalid request: ${problem}`, readableId(value));
      return;
    }
    this.lastMessageBytes = body.length;
    try {
      this.callback?.(value as Message);
    } catch (error) {
      // The connection choked on one message (vscode-jsonrpc threw on a malformed $/cancelRequest):
      // report it and go on, so the messages after it in this chunk are still delivered now.
      this.fireError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** `length` undefined: a line still arriving, of which only the limit is known to be passed. */
  private rejectOversized(length: number | undefined, probe: Buffer): void {
    const match = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")/.exec(probe.toString('utf8'));
    let id: string | number | null = null;
    if (match?.[1] !== undefined) {
      try {
        id = JSON.parse(match[1]) as string | number;
      } catch {
        id = null;
      }
    }
    this.reject(
      ErrorCodes.InvalidRequest,
      length === undefined
        ? `Invalid request: the message is over the limit of ${this.maxMessageBytes} bytes`
        : `Invalid request: the message is ${length} bytes, over the limit of ${this.maxMessageBytes} bytes`,
      id,
    );
  }

  private reject(code: RejectedMessage['code'], message: string, id: string | number | null): void {
    this.options.onRejected?.({ code, message, id });
  }
}

/** What `trim()` of the line read as latin1 would empty, without copying a long line. */
function isBlank(line: Buffer): boolean {
  for (const byte of line) if (!BLANK_BYTES.has(byte)) return false;
  return true;
}
const BLANK_BYTES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]);

/** A header block of one Content-Length as vscode-jsonrpc and the other clients write it. */
const SIMPLE_HEADER = /^Content-Length: (\d{1,15})$/;

/**
 * The frame's length from its header block. The last Content-Length wins, and bytes before it
 * (the unread body of a broken frame before this one) are tolerated, so the reader resyncs.
 */
function parseContentLength(headers: string): number | undefined {
  // Nearly every frame's: one match without building the list of all of them.
  const simple = SIMPLE_HEADER.exec(headers);
  if (simple) return Number(simple[1]);
  const matches = [...headers.matchAll(/content-length[ \t]*:[ \t]*(\d{1,15})[ \t]*(?:\r\n|$)/gi)];
  const last = matches[matches.length - 1];
  return last ? Number(last[1]) : undefined;
}

function isId(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function readableId(value: unknown): string | number | null {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const id = (value as { id?: unknown }).id;
    if (isId(id)) return id;
  }
  return null;
}

/** Why `value` is not a JSON-RPC 2.0 request, notification or response; undefined when it is one. */
function shapeProblem(value: unknown): string | undefined {
  if (Array.isArray(value)) return 'batch requests are not supported';
  if (value === null || typeof value !== 'object') return 'a message must be a JSON object';
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return '"jsonrpc" must be "2.0"';
  if ('method' in m) {
    if (typeof m.method !== 'string') return '"method" must be a string';
    if ('id' in m && !isId(m.id)) return '"id" must be a string or a number';
    if ('params' in m && (m.params === null || typeof m.params !== 'object')) {
      return '"params" must be an object or an array';
    }
    return undefined;
  }
  if (!('id' in m) || (!isId(m.id) && m.id !== null)) return 'a message needs a "method" or a response "id"';
  if (!('result' in m) && !(m.error && typeof m.error === 'object')) return 'a response needs "result" or "error"';
  return undefined;
}

/**
 * A result that is already JSON text (e.g. events read back from the log, whose payloads are
 * stored as JSON): the writer splices it into the response as it is, instead of parsing it
 * into objects only to serialize them again. `T` is the shape the text encodes. Given as parts,
 * the text is their concatenation, and the writer writes each part as it is: a large part is
 * never copied into one string with the others (on some VMs the memory of a fresh 4 MB copy
 * costs as much as writing it).
 */
export class RawJson<T = unknown> {
  declare readonly shape?: T;
  constructor(readonly json: string | readonly string[]) {}
}

/** The message's JSON text, in parts whose concatenation it is. */
function serialize(msg: Message): readonly string[] {
  const result = (msg as { result?: unknown }).result;
  if (result instanceof RawJson) {
    const head = `{"jsonrpc":"2.0","id":${JSON.stringify((msg as unknown as { id: unknown }).id)},"result":`;
    return typeof result.json === 'string' ? [head, result.json, '}'] : [head, ...result.json, '}'];
  }
  return [JSON.stringify(msg)];
}

/** Parts at least this long are written on their own; shorter ones are joined into one write. */
const LARGE_PART_CHARS = 64 * 1024;

/** Runs of short strings joined; a large one stays alone (joining it would copy it). */
function joinSmall(strings: readonly string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  for (const s of strings) {
    if (s.length < LARGE_PART_CHARS) {
      run.push(s);
      continue;
    }
    if (run.length > 0) out.push(run.join(''));
    run = [];
    out.push(s);
  }
  if (run.length > 0) out.push(run.join(''));
  return out;
}

/**
 * Writes messages in either framing. Frames written by one run of callbacks and the promise
 * reactions they set off (a commit's events and the answer it settles) leave in one write: the
 * flush waits for the microtasks to drain (process.nextTick), not for the next event-loop turn
 * (setImmediate: 15-20 µs later, a poll of the loop in between, on every answer). Each `write`
 * resolves once its bytes are handed to the stream, and a stream that asks to wait ('drain') is
 * waited for, so frames never pile up in it.
 */
export class FramedMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errorCount = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private settlers: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private scheduled = false;
  private waitingForDrain = false;
  /** `whenBelow` callers, each waiting for the unread output to fall to its mark. */
  private lowWaiters: { bytes: number; resolve: () => void }[] = [];

  constructor(
    private readonly writable: NodeJS.WritableStream,
    private readonly framing: Framing,
  ) {
    super();
    writable.on('error', (error: Error) => this.fireError(error));
    writable.on('close', () => {
      this.fireClose();
      for (const w of this.lowWaiters.splice(0)) w.resolve(); // nothing will be read any more
    });
    writable.on('drain', () => {
      this.waitingForDrain = false;
      this.schedule();
      this.checkLow();
    });
  }

  write(msg: Message): Promise<void> {
    const parts = serialize(msg);
    if (this.framing === 'lsp') {
      let bytes = 0;
      for (const part of parts) bytes += Buffer.byteLength(part, 'utf8');
      const header = `Content-Length: ${bytes}\r\n\r\n`;
      this.pending.push(header);
      this.pendingChars += header.length;
    }
    for (const part of parts) {
      this.pending.push(part);
      this.pendingChars += part.length;
    }
    if (this.framing === 'ndjson') {
      this.pending.push('\n');
      this.pendingChars += 1;
    }
    return new Promise((resolve, reject) => {
      this.settlers.push({ resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waitingForDrain || this.pending.length === 0) return;
    this.scheduled = true;
    process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const chunks = joinSmall(this.pending);
    const settlers = this.settlers;
    this.pending = [];
    this.pendingChars = 0;
    this.settlers = [];
    // One write per chunk, corked into one system call; the last one's callback settles them all
    // (a stream completes its writes in order, and a failed one fails those after it).
    const corkable = this.writable as { cork?: () => void; uncork?: () => void };
    const corked = chunks.length > 1 && typeof corkable.cork === 'function';
    if (corked) corkable.cork!();
    for (let i = 0; i < chunks.length - 1; i++) this.writable.write(chunks[i]!, 'utf8');
    const accepted = this.writable.write(chunks[chunks.length - 1]!, 'utf8', (error) => {
      if (error) {
        this.errorCount++;
        this.fireError(error, undefined, this.errorCount);
        for (const s of settlers) s.reject(error);
      } else {
        this.errorCount = 0;
        for (const s of settlers) s.resolve();
      }
      this.checkLow();
    });
    if (corked) corkable.uncork!();
    if (!accepted) this.waitingForDrain = true;
    else this.schedule();
  }

  /** Output not yet taken by the peer: frames waiting here plus what the stream holds. */
  get bufferedBytes(): number {
    return this.pendingChars + ((this.writable as { writableLength?: number }).writableLength ?? 0);
  }

  /** Resolves once `bufferedBytes` is at most `bytes` (at once if it is): the peer has read enough. */
  whenBelow(bytes: number): Promise<void> {
    if (this.bufferedBytes <= bytes) return Promise.resolve();
    return new Promise((resolve) => this.lowWaiters.push({ bytes, resolve }));
  }

  private checkLow(): void {
    if (this.lowWaiters.length === 0) return;
    const buffered = this.bufferedBytes;
    const ready = this.lowWaiters.filter((w) => buffered <= w.bytes);
    if (ready.length === 0) return;
    this.lowWaiters = this.lowWaiters.filter((w) => buffered > w.bytes);
    for (const w of ready) w.resolve();
  }

  end(): void {
    if (this.pending.length > 0) this.flush();
    this.writable.end();
  }
}
