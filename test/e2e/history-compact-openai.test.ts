import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonError, textReply } from '../helpers/fake-openai.js';
import { runTurn, startOpenAIServer } from '../helpers/openai-server.js';
import { newThread, startServer } from '../helpers/server.js';

const SUMMARY_PREFIX = 'A summary of the conversation so far (the earlier messages are no longer shown):\n\n';

test('openai: thread/compact asks the model for a summary of the conversation and streams it; later requests carry the summary, not the old messages', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  const { client, events } = server;
  fake.respond(textReply('Paris.'), textReply('The user asked for the capital of France: Paris.'), textReply('About 2 million.'));
  const thread = await newThread(client, { systemPrompt: 'You are terse.' });
  await runTurn(server, thread.id, 'Capital of France?');

  const { turn } = await client.request('thread/compact', { threadId: thread.id, instructions: 'keep the city' });
  assert.equal((await events.turnCompleted(turn.id)).payload.turn.status, 'completed');
  const { items } = await client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual(items.map((i) => [i.kind, i.status, i.detail]), [['context_compaction', 'completed', 'The user asked for the capital of France: Paris.']]);
  const deltas = events.of(thread.id).filter((e) => e.turnId === turn.id && e.kind === 'item.delta').map((e) => (e.payload as { text: string }).text);
  assert.equal(deltas.join(''), 'The user asked for the capital of France: Paris.', 'the summary is streamed as item.delta events');

  const ask = fake.requests[1]!.body;
  assert.equal(ask.tools, undefined, 'a compaction offers no tools');
  assert.deepStrictEqual(ask.messages.slice(0, 3), [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Capital of France?' },
    { role: 'assistant', content: 'Paris.' },
  ]);
  const request = ask.messages[3]!;
  assert.equal(ask.messages.length, 4);
  assert.equal(request.role, 'user');
  assert.match(request.content!, /^Summarise the conversation above/);
  assert.match(request.content!, /Instructions for this summary: keep the city$/);

  await runTurn(server, thread.id, 'Population?');
  assert.deepStrictEqual(fake.requests[2]!.body.messages, [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: `${SUMMARY_PREFIX}The user asked for the capital of France: Paris.` },
    { role: 'user', content: 'Population?' },
  ]);
});

test('openai: a compaction the endpoint refuses fails with its error and changes nothing; the summary survives a restart', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(textReply('One.'), jsonError(400, 'context too long'), textReply('Two.'), textReply('Counted one and two.'));
  const thread = await newThread(server.client);
  await runTurn(server, thread.id, 'one');
  const failed = await server.client.request('thread/compact', { threadId: thread.id });
  const ended = (await server.events.turnCompleted(failed.turn.id)).payload.turn;
  assert.equal(ended.status, 'failed');
  assert.match(ended.error!, /context too long/);
  await runTurn(server, thread.id, 'two');
  assert.deepStrictEqual(fake.requests[2]!.body.messages.map((m) => m.content), ['one', 'One.', 'two'], 'the failed compaction changed nothing');

  const done = await server.client.request('thread/compact', { threadId: thread.id });
  await server.events.turnCompleted(done.turn.id);
  await server.kill();
  const again = await startServer(t, {
    dbPath: server.dbPath,
    args: ['--host', 'openai', '--openai-base-url', fake.url, '--model', 'gpt-4o', '--openai-max-retries', '1'],
    env: { ...process.env, OPENAI_API_KEY: 'sk-test' },
  });
  fake.respond(textReply('Three.'));
  await runTurn(again, thread.id, 'three');
  assert.deepStrictEqual(fake.requests[4]!.body.messages.map((m) => m.content), [`${SUMMARY_PREFIX}Counted one and two.`, 'three']);
});
