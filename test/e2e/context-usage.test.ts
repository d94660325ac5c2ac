import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textReply, toolCallReply } from '../helpers/fake-openai.js';
import { runTurn, startOpenAIServer } from '../helpers/openai-server.js';
import { runCli } from '../helpers/run-cli.js';
import { newThread, startServer } from '../helpers/server.js';

const SUMMARY_PREFIX = 'A summary of the conversation so far (the earlier messages are no longer shown):\n\n';

test('context: after each model call the openai host reports context.usage (prompt + reply tokens, the window of a known model); thread/get shows the latest, also from another process after a restart', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(textReply('done', { prompt_tokens: 1200, completion_tokens: 34 }));
  const thread = await newThread(server.client);
  const { turn } = await runTurn(server, thread.id, 'go');
  const usages = server.events.of(thread.id).filter((e) => e.kind === 'context.usage');
  assert.deepStrictEqual(usages.map((e) => [e.turnId, e.payload]), [[turn.id, { turnId: turn.id, used: 1234, size: 128_000 }]]);
  const { thread: got } = await server.client.request('thread/get', { threadId: thread.id });
  assert.deepStrictEqual(got.contextUsage, { turnId: turn.id, used: 1234, size: 128_000 });

  await server.kill();
  const again = await startServer(t, { dbPath: server.dbPath });
  const { thread: after } = await again.client.request('thread/get', { threadId: thread.id });
  assert.deepStrictEqual(after.contextUsage, { turnId: turn.id, used: 1234, size: 128_000 }, 'persisted with the thread');
});

test('context: every model call of a turn reports; the latest wins', async (t) => {
  const { fake, server } = await startOpenAIServer(t);
  const withUsage = (responder: ReturnType<typeof toolCallReply>, prompt: number, completion: number): ReturnType<typeof toolCallReply> => (req, res) => {
    // Slip a usage chunk in before [DONE], as OpenAI sends it with stream_options.include_usage.
    const write = res.write.bind(res);
    res.write = ((chunk: string) => {
      if (String(chunk).includes('[DONE]')) write(`data: ${JSON.stringify({ id: 'u', object: 'chat.completion.chunk', created: 0, model: 'fake', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: 0 } })}\n\n`);
      return write(chunk);
    }) as typeof res.write;
    return responder(req, res);
  };
  fake.respond(withUsage(toolCallReply([{ id: 'c1', name: 'no_such_tool', args: {} }]), 500, 20), textReply('ok', { prompt_tokens: 540, completion_tokens: 3 }));
  const thread = await newThread(server.client);
  const { turn } = await runTurn(server, thread.id, 'go');
  const usages = server.events.of(thread.id).filter((e) => e.kind === 'context.usage').map((e) => e.payload);
  assert.deepStrictEqual(usages, [
    { turnId: turn.id, used: 520, size: 128_000 },
    { turnId: turn.id, used: 543, size: 128_000 },
  ]);
  assert.deepStrictEqual((await server.client.request('thread/get', { threadId: thread.id })).thread.contextUsage, usages[1]);
});

test('context: a model nobody knows has no size (size null, never a guess) unless --context-window names it; a new thread has no contextUsage', async (t) => {
  const unknown = await startOpenAIServer(t, ['--model', 'my-local-model']);
  unknown.fake.respond(textReply('hi', { prompt_tokens: 10, completion_tokens: 2 }));
  const a = await newThread(unknown.server.client);
  assert.equal(a.contextUsage, undefined);
  const first = await runTurn(unknown.server, a.id, 'hello');
  assert.deepStrictEqual((await unknown.server.client.request('thread/get', { threadId: a.id })).thread.contextUsage, { turnId: first.turn.id, used: 12, size: null });

  const named = await startOpenAIServer(t, ['--model', 'my-local-model', '--context-window', '32768']);
  named.fake.respond(textReply('hi', { prompt_tokens: 10, completion_tokens: 2 }));
  const b = await newThread(named.server.client);
  const second = await runTurn(named.server, b.id, 'hello');
  assert.deepStrictEqual((await named.server.client.request('thread/get', { threadId: b.id })).thread.contextUsage, { turnId: second.turn.id, used: 12, size: 32768 });
});

test('context: --auto-compact-at — once a thread passes it, its next prompt waits behind a compaction recorded as such; then it runs on the summary', async (t) => {
  const { fake, server } = await startOpenAIServer(t, ['--model', 'local', '--context-window', '1000', '--auto-compact-at', '0.8']);
  fake.respond(
    textReply('first answer', { prompt_tokens: 100, completion_tokens: 10 }), // 11%: nothing happens
    textReply('second answer', { prompt_tokens: 790, completion_tokens: 20 }), // 81%: the next turn compacts first
    textReply('We talked twice.', { prompt_tokens: 830, completion_tokens: 5 }), // the summary
    textReply('third answer', { prompt_tokens: 60, completion_tokens: 5 }),
  );
  const thread = await newThread(server.client);
  await runTurn(server, thread.id, 'one');
  await runTurn(server, thread.id, 'two');
  assert.equal(fake.requests.length, 2, 'no compaction below the threshold');

  const started = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'three' });
  assert.equal(started.turn.kind, 'compaction', 'the answer names the compaction that runs first');
  assert.match(started.turn.inputSummary, /^Automatic compaction: context at 81% \(810 of 1000 tokens; --auto-compact-at 0\.8\)$/);
  assert.ok(started.queued, 'the prompt waits in the queue');
  const compaction = (await server.events.turnCompleted(started.turn.id)).payload.turn;
  assert.equal(compaction.status, 'completed');
  const promoted = await server.events.waitFor({ kind: 'prompt.promoted', where: (e) => e.payload.admission.id === started.queued!.id });
  const third = (await server.events.turnCompleted(promoted.payload.turnId)).payload.turn;
  assert.equal(third.status, 'completed');

  assert.match(fake.requests[2]!.body.messages.at(-1)!.content!, /^Summarise the conversation above/);
  assert.deepStrictEqual(fake.requests[3]!.body.messages.map((m) => m.content), [`${SUMMARY_PREFIX}We talked twice.`, 'three']);
  const kinds = server.events.of(thread.id).filter((e) => e.kind === 'turn.started').map((e) => (e.payload as { turn: { kind?: string } }).turn.kind ?? 'prompt');
  assert.deepStrictEqual(kinds, ['prompt', 'prompt', 'compaction', 'prompt']);
  const { thread: after } = await server.client.request('thread/get', { threadId: thread.id });
  assert.deepStrictEqual(after.contextUsage, { turnId: third.id, used: 65, size: 1000 });
});

test('context: a failed automatic compaction is not retried before the next model call; the prompt runs anyway', async (t) => {
  const { fake, server } = await startOpenAIServer(t, ['--model', 'local', '--context-window', '100', '--auto-compact-at', '0.5']);
  fake.respond(textReply('big', { prompt_tokens: 90, completion_tokens: 5 }), (_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'too long', type: 'x', code: null } }));
  }, textReply('still here', { prompt_tokens: 10, completion_tokens: 1 }));
  const thread = await newThread(server.client);
  await runTurn(server, thread.id, 'one');
  const started = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'two' });
  assert.equal(started.turn.kind, 'compaction');
  assert.equal((await server.events.turnCompleted(started.turn.id)).payload.turn.status, 'failed');
  const promoted = await server.events.waitFor({ kind: 'prompt.promoted', where: (e) => e.payload.admission.id === started.queued!.id });
  const two = (await server.events.turnCompleted(promoted.payload.turnId)).payload.turn;
  assert.equal(two.kind ?? 'prompt', 'prompt');
  assert.equal(two.status, 'completed');
  assert.equal(fake.requests.length, 3);
});

for (const [flag, value] of [['--auto-compact-at', '0'], ['--auto-compact-at', '1.5'], ['--auto-compact-at', 'half'], ['--context-window', '0'], ['--context-window', '12k']] as const) {
  test(`context: ${flag} ${value} stops serve and acp at start-up with exit 2 and one line`, async () => {
    for (const command of ['serve', 'acp']) {
      const { code, stderr, stdout } = await runCli([command, '--db', ':memory:', '--host', 'openai', flag, value]);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, new RegExp(`${flag}: must be`));
    }
  });
}
