import type { ThreadEvent } from '@threadline/protocol';
import { unlessCrashed } from '../lib/peer.js';
import { startServer, type ServerOptions } from '../lib/threadline.js';
import { PAGE, type Side } from './side.js';

/** `serve` flags that point Threadline's `openai` host (chat completions) at the mock model. */
export const threadlineArgs = (baseUrl: string): string[] => ['--host', 'openai', '--openai-base-url', baseUrl, '--model', 'mock', '--openai-max-retries', '0'];

/** Threadline with its default durability (full), as `threadline serve` runs for a user. */
export async function startThreadline(db: string, baseUrl: string): Promise<Side> {
  const o: ServerOptions = { db, args: threadlineArgs(baseUrl) };
  const server = await startServer(o);
  const { client } = server;
  const deltas = new Map<string, { deltas: number; chars: number }>();
  const waiting = new Map<string, (status: string) => void>();
  const ended = new Map<string, string>();
  client.onEvent((event: ThreadEvent) => {
    if (!event.turnId) return;
    if (event.kind === 'item.delta') {
      const d = deltas.get(event.turnId) ?? { deltas: 0, chars: 0 };
      deltas.set(event.turnId, { deltas: d.deltas + 1, chars: d.chars + event.payload.text.length });
    }
    if (event.kind === 'turn.completed') {
      const done = waiting.get(event.turnId);
      if (done) done(event.payload.turn.status);
      else ended.set(event.turnId, event.payload.turn.status);
    }
  });
  const guard = <T>(work: Promise<T>) => unlessCrashed(server, 'threadline', work);
  return {
    name: 'Threadline',
    pid: server.pid,
    startThread: async () => (await guard(client.request('thread/create', {}))).thread.id,
    runTurn: async (threadId, prompt) => {
      const { turn } = await guard(client.request('thread/startTurn', { threadId, prompt }));
      const status = ended.get(turn.id) ?? (await guard(new Promise<string>((resolve) => waiting.set(turn.id, resolve))));
      const seen = deltas.get(turn.id) ?? { deltas: 0, chars: 0 };
      for (const m of [waiting, ended, deltas]) m.delete(turn.id);
      if (status !== 'completed') throw new Error(`threadline turn ended ${status}:\n${server.stderr()}`);
      return seen;
    },
    listAll: async () => {
      let count = 0;
      let cursor: string | undefined;
      do {
        const page = await guard(client.request('thread/list', { limit: PAGE, ...(cursor ? { cursor } : {}) }));
        count += page.threads.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return count;
    },
    // thread/export: every turn with its items in one call, what Codex's thread/read includeTurns returns.
    readThread: async (threadId) => (await guard(client.request('thread/export', { threadId }))).document.turns.length,
    close: () => server.close(),
  };
}
