import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/** A request the fake endpoint received: its JSON body, and whether the client went away early. */
export interface FakeRequest {
  body: { model: string; messages: { role: string; content?: string | null; tool_calls?: unknown[]; tool_call_id?: string }[]; [key: string]: unknown };
  headers: IncomingMessage['headers'];
  /** Resolves when the client closed the connection before the response ended (an abort). */
  closedEarly: Promise<void>;
}

export type Responder = (req: FakeRequest, res: ServerResponse) => void | Promise<void>;

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 for tests: each request is answered
 * by the next scripted responder and recorded, so a test asserts on exactly what the model got.
 */
export class FakeOpenAI {
  readonly requests: FakeRequest[] = [];
  private readonly script: Responder[] = [];
  private waiters: ((r: FakeRequest) => void)[] = [];
  private readonly server = createServer((req, res) => void this.answer(req, res));
  url = '';

  static async start(t: TestContext): Promise<FakeOpenAI> {
    const fake = new FakeOpenAI();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    t.after(() => {
      fake.server.closeAllConnections();
      fake.server.close();
    });
    return fake;
  }

  respond(...responders: Responder[]): void {
    this.script.push(...responders);
  }

  /** The `n`th request (0-based), once it has arrived. */
  request(n: number): Promise<FakeRequest> {
    if (this.requests[n]) return Promise.resolve(this.requests[n]);
    return new Promise((resolve) => {
      const wait = () => (this.requests[n] ? resolve(this.requests[n]) : this.waiters.push(wait));
      this.waiters.push(wait);
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const part of req) raw += part;
    let closedEarly!: () => void;
    const request: FakeRequest = { body: JSON.parse(raw), headers: req.headers, closedEarly: new Promise((r) => (closedEarly = r)) };
    res.on('close', () => {
      if (!res.writableFinished) closedEarly();
    });
    this.requests.push(request);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(request);
    const responder = this.script.shift() ?? jsonError(500, 'the fake endpoint has no scripted response left');
    await responder(request, res);
  }
}

let n = 0;
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return { id: `chatcmpl-${++n}`, object: 'chat.completion.chunk', created: 0, model: 'fake', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

export function usageChunk(usage: Record<string, unknown>): Record<string, unknown> {
  return { id: `chatcmpl-${++n}`, object: 'chat.completion.chunk', created: 0, model: 'fake', choices: [], usage };
}

export function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

export function send(res: ServerResponse, data: unknown): void {
  res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** Streams `chunks`, then `[DONE]`. */
export function sse(chunks: unknown[]): Responder {
  return (_req, res) => {
    startSse(res);
    for (const c of chunks) send(res, c);
    send(res, '[DONE]');
    res.end();
  };
}

/** A streamed text reply, word by word, with a usage chunk. */
export function textReply(text: string, usage = { prompt_tokens: 10, completion_tokens: 5 }): Responder {
  const words = text.split(/(?= )/);
  return sse([chunk({ role: 'assistant', content: '' }), ...words.map((w) => chunk({ content: w })), chunk({}, 'stop'), usageChunk({ ...usage, total_tokens: 0 })]);
}

/** One tool call whose arguments arrive split across chunks. */
export function toolCallReply(calls: { id: string; name: string; args: Record<string, unknown> }[]): Responder {
  const chunks: unknown[] = [chunk({ role: 'assistant', content: null })];
  calls.forEach((c, index) => {
    const args = JSON.stringify(c.args);
    const mid = Math.floor(args.length / 2);
    chunks.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }));
    chunks.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(0, mid) } }] }));
    chunks.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(mid) } }] }));
  });
  chunks.push(chunk({}, 'tool_calls'));
  return sse(chunks);
}

export function jsonError(status: number, message: string, headers: Record<string, string> = {}): Responder {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { message, type: 'fake_error', code: null } }));
  };
}

/** `promise`, or a rejection naming `what` after `ms`: a test fails instead of hanging. */
export function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
