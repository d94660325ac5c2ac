import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chunk, send, sse, startSse, textReply, usageChunk, within } from '../helpers/fake-openai.js';
import { runTurn, startOpenAIServer } from '../helpers/openai-server.js';
import { newThread, waitForStderr } from '../helpers/server.js';

test('openai: a streamed reply becomes item.delta events of one agent_message; the request starts with the system prompt and asks for usage', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(textReply('Hello there, friend'));
  const thread = await newThread(server.client, { systemPrompt: 'You are terse.' });
  const { turn, items } = await runTurn(server, thread.id, 'hi');
  assert.equal(turn.status, 'completed');
  assert.deepStrictEqual(items.map((i) => [i.kind, i.status, i.detail]), [
    ['user_message', 'completed', 'hi'],
    ['agent_message', 'completed', 'Hello there, friend'],
  ]);
  const deltas = server.events.of(thread.id).filter((e) => e.kind === 'item.delta').map((e) => (e.payload as { text: string }).text);
  assert.equal(deltas.join(''), 'Hello there, friend');
  const { body, headers } = fake.requests[0]!;
  assert.deepStrictEqual(body.messages, [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'hi' },
  ]);
  assert.deepStrictEqual([body.model, body.stream, body.stream_options], ['gpt-4o', true, { include_usage: true }]);
  assert.equal(headers.authorization, 'Bearer sk-test');
  assert.equal(body.tools, undefined, 'a thread without cwd is offered no tools');
});

test('openai: reasoning_content and reasoning deltas become a reasoning item before the answer', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(
    sse([chunk({ reasoning_content: 'Think' }), chunk({ reasoning_content: 'ing.' }), chunk({ content: 'Answer' }), chunk({}, 'stop')]),
    sse([chunk({ reasoning: 'Hmm' }), chunk({ content: 'Two' }), chunk({}, 'stop')]),
  );
  const thread = await newThread(server.client);
  for (const [prompt, reasoning, answer] of [['one', 'Thinking.', 'Answer'], ['two', 'Hmm', 'Two']]) {
    const { turn, items } = await runTurn(server, thread.id, prompt!);
    assert.equal(turn.status, 'completed');
    assert.deepStrictEqual(items.slice(1).map((i) => [i.kind, i.detail]), [['reasoning', reasoning], ['agent_message', answer]]);
  }
  assert.deepStrictEqual(fake.requests[1]!.body.messages, [
    { role: 'user', content: 'one' },
    { role: 'assistant', content: 'Answer' },
    { role: 'user', content: 'two' },
  ], 'reasoning is not sent back');
});

test('openai: usage comes from the final chunk with cached and reasoning tokens; cost from the built-in price table, --prices, or none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-prices-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const prices = join(dir, 'prices.json');
  writeFileSync(prices, JSON.stringify({ 'my-local-model': { input: 1, output: 2 } }));
  const { fake, server } = await startOpenAIServer(t, ['--prices', prices]);
  const usage = { prompt_tokens: 1000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 400 }, completion_tokens_details: { reasoning_tokens: 50 } };
  fake.respond(textReply('a', usage), textReply('b', usage), textReply('c', usage));
  const cases = [
    [undefined, { inputTokens: 1000, outputTokens: 200, cachedInputTokens: 400, reasoningTokens: 50, costUsd: (600 * 2.5 + 400 * 1.25 + 200 * 10) / 1e6 }],
    ['my-local-model', { inputTokens: 1000, outputTokens: 200, cachedInputTokens: 400, reasoningTokens: 50, costUsd: (1000 * 1 + 200 * 2) / 1e6 }],
    ['mystery-model', { inputTokens: 1000, outputTokens: 200, cachedInputTokens: 400, reasoningTokens: 50 }],
  ] as const;
  for (const [i, [model, expected]] of cases.entries()) {
    const thread = await newThread(server.client, model ? { model } : {});
    const { turn } = await runTurn(server, thread.id, 'hi');
    assert.deepStrictEqual(turn.usage, expected);
    assert.equal(fake.requests[i]!.body.model, model ?? 'gpt-4o', 'the thread model overrides --model');
  }
  assert.deepStrictEqual(await server.client.request('usage/get', {}), {
    usage: { inputTokens: 3000, outputTokens: 600, cachedInputTokens: 1200, reasoningTokens: 150, costUsd: cases[0][1].costUsd + cases[1][1].costUsd },
    turns: 3,
  });
});

test('openai: after thread/editLastTurn the model sees the truncated history, and a restart rebuilds the same conversation', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(textReply('first answer'), textReply('second answer'), textReply('edited answer'));
  const thread = await newThread(server.client, { systemPrompt: 'sys' });
  await runTurn(server, thread.id, 'first');
  await runTurn(server, thread.id, 'second');
  const { turn } = await server.client.request('thread/editLastTurn', { threadId: thread.id, content: 'second, edited' });
  await server.events.turnCompleted(turn.id);
  const expected = [
    { role: 'system', content: 'sys' },
    { role: 'user', content: 'first' },
    { role: 'assistant', content: 'first answer' },
    { role: 'user', content: 'second, edited' },
  ];
  assert.deepStrictEqual(fake.requests[2]!.body.messages, expected);
  await server.kill();
  const restarted = await startOpenAIServer(t, [], { dbPath: server.dbPath });
  restarted.fake.respond(textReply('after restart'));
  await runTurn(restarted.server, thread.id, 'third');
  assert.deepStrictEqual(restarted.fake.requests[0]!.body.messages, [
    ...expected,
    { role: 'assistant', content: 'edited answer' },
    { role: 'user', content: 'third' },
  ]);
});

test('openai: interrupt during streaming aborts the HTTP stream at once, keeps the partial text and ends the turn interrupted', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond((_req, res) => {
    startSse(res);
    send(res, chunk({ content: 'partial words' })); // and then nothing: the model is slow
  });
  const thread = await newThread(server.client);
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'write a novel' });
  await server.events.waitFor({ kind: 'item.delta', turnId: turn.id });
  const { turn: ended } = await server.client.request('thread/interrupt', { threadId: thread.id });
  assert.equal(ended!.status, 'interrupted');
  await within(fake.requests[0]!.closedEarly, 'the HTTP request was aborted');
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual([items[1]!.kind, items[1]!.status, items[1]!.detail, items[1]!.metadata], ['agent_message', 'completed', 'partial words', { interrupted: true }]);
});

test('openai: a steered message joins the conversation at the next model round of the running turn', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  fake.respond(async (_req, res) => {
    startSse(res);
    send(res, chunk({ content: 'Working on it' }));
    await released;
    send(res, chunk({}, 'stop'));
    send(res, usageChunk({ prompt_tokens: 3, completion_tokens: 3 }));
    send(res, '[DONE]');
    res.end();
  }, textReply('Also in French: bonjour'));
  const thread = await newThread(server.client);
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'say hello' });
  await server.events.waitFor({ kind: 'item.delta', turnId: turn.id });
  const steered = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'and in French', delivery: 'steer', expectedTurnId: turn.id });
  assert.deepStrictEqual([steered.turn.id, steered.queued], [turn.id, null]);
  release();
  const done = (await server.events.turnCompleted(turn.id)).payload.turn;
  assert.deepStrictEqual([done.status, done.steerCount, done.usage], ['completed', 1, { inputTokens: 13, outputTokens: 8, costUsd: (13 * 2.5 + 8 * 10) / 1e6 }]);
  assert.deepStrictEqual(fake.requests[1]!.body.messages, [
    { role: 'user', content: 'say hello' },
    { role: 'assistant', content: 'Working on it' },
    { role: 'user', content: 'and in French' },
  ]);
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual(items.map((i) => [i.kind, i.detail]), [
    ['user_message', 'say hello'],
    ['agent_message', 'Working on it'],
    ['user_message', 'and in French'],
    ['agent_message', 'Also in French: bonjour'],
  ]);
});

test('openai: the host bundle is loaded on the first turn, not at start-up, so initialize never waits on it', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(textReply('hi'));
  const thread = await newThread(server.client);
  assert.equal(server.stderr.filter((line) => line.includes('host loaded')).length, 0, server.stderr.join('\n'));
  await runTurn(server, thread.id, 'hello');
  await waitForStderr(server, /INFO  host loaded \{"host":"openai","ms":\d+\}/);
});
