import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { HostError } from '@threadline/protocol';
import { chunk, jsonError, send, startSse, textReply } from '../helpers/fake-openai.js';
import { runTurn, startOpenAIServer } from '../helpers/openai-server.js';
import { newThread, startServer } from '../helpers/server.js';

test('openai: a 429 is retried with backoff and the turn then completes', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(jsonError(429, 'slow down', { 'retry-after-ms': '10' }), textReply('made it'));
  const thread = await newThread(server.client);
  const { turn, items } = await runTurn(server, thread.id, 'hi');
  assert.deepStrictEqual([turn.status, items[1]!.detail, fake.requests.length], ['completed', 'made it', 2]);
});

test('openai: 401 fails the turn "authentication failed" at once (no retry); 500 is retried, then fails with the status and the endpoint\'s message', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(
    jsonError(401, 'Incorrect API key provided'),
    jsonError(500, 'the GPUs are on fire', { 'retry-after-ms': '10' }),
    jsonError(500, 'the GPUs are on fire', { 'retry-after-ms': '10' }),
    textReply('recovered'),
  );
  const thread = await newThread(server.client);
  const first = await runTurn(server, thread.id, 'hi');
  assert.deepStrictEqual([first.turn.status, first.turn.error], ['failed', `authentication failed (401 from ${fake.url}): Incorrect API key provided`]);
  assert.equal(fake.requests.length, 1);
  const second = await runTurn(server, thread.id, 'hi again');
  assert.deepStrictEqual([second.turn.status, second.turn.error], ['failed', `the model endpoint ${fake.url} answered 500 after 1 retry: the GPUs are on fire`]);
  assert.equal(fake.requests.length, 3);
  assert.equal((await runTurn(server, thread.id, 'third')).turn.status, 'completed', 'the thread accepts the next prompt');
});

test('openai: a stream cut in the middle fails the turn and keeps the text streamed so far', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(
    (_req, res) => {
      startSse(res);
      send(res, chunk({ content: 'Half a sen' }));
      res.end(); // no finish_reason, no [DONE]: the connection just ends
    },
    (_req, res) => {
      startSse(res);
      send(res, chunk({ content: 'Cut ' }));
      setImmediate(() => res.socket!.destroy()); // the socket dies mid-stream
    },
  );
  const thread = await newThread(server.client);
  const clean = await runTurn(server, thread.id, 'one');
  assert.deepStrictEqual([clean.turn.status, clean.turn.error], ['failed', `the stream from ${fake.url} ended before the reply was complete (the connection was cut)`]);
  assert.deepStrictEqual([clean.items[1]!.status, clean.items[1]!.detail], ['failed', 'Half a sen']);
  const destroyed = await runTurn(server, thread.id, 'two');
  assert.equal(destroyed.turn.status, 'failed');
  assert.match(destroyed.turn.error!, new RegExp(`^the connection to ${fake.url} was cut mid-reply \\(|^the stream from ${fake.url} ended before the reply was complete`));
});

test('openai: a stream that goes silent past --openai-idle-timeout fails the turn instead of hanging', async (t) => {
  const { fake, server } = await startOpenAIServer(t, ['--openai-idle-timeout', '0.3']);
  fake.respond(
    (_req, res) => {
      startSse(res);
      send(res, chunk({ content: 'and then' }));
    },
    () => {}, // never even answers the headers
  );
  const thread = await newThread(server.client);
  for (const prompt of ['silent stream', 'silent server']) {
    const { turn } = await runTurn(server, thread.id, prompt);
    assert.deepStrictEqual([turn.status, turn.error], ['failed', `the model endpoint ${fake.url} sent nothing for 0.3 s (--openai-idle-timeout)`]);
  }
});

test('openai: a malformed chunk fails the turn with a message a person understands', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond((_req, res) => {
    startSse(res);
    send(res, chunk({ content: 'ok so far' }));
    send(res, '{"choices": [ this is not json');
    res.end();
  });
  const thread = await newThread(server.client);
  const { turn } = await runTurn(server, thread.id, 'hi');
  assert.equal(turn.status, 'failed');
  assert.match(turn.error!, new RegExp(`^the model endpoint ${fake.url} sent a malformed stream chunk \\(`));
});

test('openai: connection refused fails the turn naming the endpoint; no model anywhere fails the start with HostError', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const url = `http://127.0.0.1:${port}/v1`;
  const server = await startServer(t, { args: ['--host', 'openai', '--openai-base-url', url, '--openai-max-retries', '0'], env: { ...process.env, OPENAI_API_KEY: '' } });
  const thread = await newThread(server.client, { model: 'llama3' });
  const { turn } = await runTurn(server, thread.id, 'hi');
  assert.deepStrictEqual([turn.status, turn.error], ['failed', `cannot reach the model endpoint ${url}: connection refused`]);
  const bare = await newThread(server.client);
  await assert.rejects(server.client.request('thread/startTurn', { threadId: bare.id, prompt: 'hi' }), (err) => {
    assert.ok(err instanceof HostError);
    assert.equal(err.message, "openai host failed to start the turn: no model: start serve with --model NAME, or set the thread's or the turn's model");
    return true;
  });
});
