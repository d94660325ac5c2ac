import type { TestContext } from 'node:test';
import { FakeOpenAI } from './fake-openai.js';
import { startServer, type StartOptions, type TestServer } from './server.js';

/** A fake endpoint and a server whose `openai` host talks to it (one retry, key set, model gpt-4o). */
export async function startOpenAIServer(t: TestContext, args: string[] = [], options: StartOptions = {}): Promise<{ fake: FakeOpenAI; server: TestServer }> {
  const fake = await FakeOpenAI.start(t);
  const server = await startServer(t, {
    ...options,
    args: ['--host', 'openai', '--openai-base-url', fake.url, '--model', 'gpt-4o', '--openai-max-retries', '1', ...args],
    env: { ...process.env, OPENAI_API_KEY: 'sk-test', ...options.env },
  });
  return { fake, server };
}

/** Starts a turn and waits for its end; the turn and its items. */
export async function runTurn(server: TestServer, threadId: string, prompt: string) {
  const { turn } = await server.client.request('thread/startTurn', { threadId, prompt });
  const done = (await server.events.turnCompleted(turn.id)).payload.turn;
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  return { turn: done, items };
}
