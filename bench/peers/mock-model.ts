import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatEvents, responsesEvents, writeSse } from './mock-responses.js';

/**
 * The bench's own loopback model: `POST /v1/chat/completions` (Threadline's `openai` host) and
 * `POST /v1/responses` (Codex) answer the same way. A prompt `long N` streams N deltas of "x ";
 * any other prompt gets the one-word reply "pong". Streaming only: both clients ask for it.
 */
export interface MockModel {
  baseUrl: string;
  /** Requests answered per API, for the log (proves both sides really talked to it). */
  counts: { chat: number; responses: number };
  close(): Promise<void>;
}

const LONG = /\blong (\d+)\b/;

function replyFor(prompt: string): string[] {
  const long = LONG.exec(prompt);
  return long ? Array.from({ length: Number(long[1]) }, () => 'x ') : ['pong'];
}

/** The last user text of either request shape. */
function lastUserText(body: { messages?: unknown[]; input?: unknown }): string {
  const entries = (body.messages ?? (Array.isArray(body.input) ? body.input : [])) as { role?: string; content?: unknown }[];
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.role !== 'user') continue;
    if (typeof e.content === 'string') return e.content;
    if (Array.isArray(e.content)) return e.content.map((c: { text?: string }) => c.text ?? '').join('');
  }
  return typeof body.input === 'string' ? body.input : '';
}

export async function startMockModel(): Promise<MockModel> {
  const counts = { chat: 0, responses: 0 };
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      let raw = '';
      for await (const part of req) raw += part;
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/responses')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `mock: no ${req.method} ${path}` } }));
        return;
      }
      const deltas = replyFor(lastUserText(JSON.parse(raw)));
      if (path === '/v1/responses') {
        counts.responses++;
        await writeSse(res, responsesEvents(deltas, ++n));
      } else {
        counts.chat++;
        await writeSse(res, chatEvents(deltas, ++n));
      }
    })().catch((error: Error) => res.destroy(error));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
