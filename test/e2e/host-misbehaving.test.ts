import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HostError } from '@threadline/protocol';
import { newThread, startServer, waitForStderr, type TestServer } from '../helpers/server.js';

const HOST = fileURLToPath(new URL('../fixtures/hosts/misbehaving-host.mjs', import.meta.url));
const named = (problem: string) => new RegExp(`^${HOST} host${problem}`);

function misbehavingServer(t: Parameters<typeof startServer>[0], fail?: string, allowErrorLogs = false) {
  return startServer(t, { args: ['--host', HOST, ...(fail ? ['--host-option', `fail=${fail}`] : [])], allowErrorLogs });
}

/** The thread is idle and its next prompt runs normally: a host fault never sticks to a thread. */
async function assertNextPromptWorks(server: TestServer, threadId: string) {
  const { turn } = await server.client.request('thread/startTurn', { threadId, prompt: 'ok' });
  const done = await server.events.turnCompleted(turn.id);
  assert.equal(done.payload.turn.status, 'completed', done.payload.turn.error);
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  assert.equal(items[1]!.detail, 'fine');
}

test('a host that reports a malformed event, an unknown kind or type, a stray delta or a failing stream fails that turn naming the host', async (t) => {
  const server = await misbehavingServer(t);
  for (const [prompt, error] of [
    ['malformed-item', named(' reported a malformed item.started event \\(kind: ')],
    ['unknown-kind', named(' reported an unknown item kind "video"$')],
    ['unknown-type', named(' reported an unknown event type "item.exploded"$')],
    ['null-event', named(' reported a non-object event \\(null\\)$')],
    ['unknown-delta', named(': delta for unknown item "zzz"$')],
    ['stream-throws', named(": the turn's event stream failed: the stream blew up$")],
    ['stream-rejects-string', named(": the turn's event stream failed: a bare string$")],
    ['bad-approval', named(' asked for an approval for unknown item "missing"$')],
  ] as const) {
    const thread = await newThread(server.client);
    const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt });
    const done = (await server.events.turnCompleted(turn.id)).payload.turn;
    assert.equal(done.status, 'failed', prompt);
    assert.match(done.error!, error);
    await assertNextPromptWorks(server, thread.id);
  }
  const thread = await newThread(server.client);
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'stream-throws' });
  await server.events.turnCompleted(turn.id);
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual([items[1]!.status, items[1]!.detail], ['failed', 'partial'], 'the text streamed before the fault is kept');
});

test('a host that throws, rejects or returns no stream at start, or cannot be created or loaded, fails the turn with HostError naming it', async (t) => {
  const cases: [string | undefined, string, RegExp][] = [
    [undefined, 'start-throws', named(' failed to start the turn: startTurn blew up$')],
    [undefined, 'start-rejects', named(' failed to start the turn: startTurn rejected$')],
    [undefined, 'not-iterable', named(' failed to start the turn: startTurn did not return an async iterable of events$')],
    ['createHost', 'ok', named(' failed to start the turn: createHost failed: createHost blew up$')],
    ['api-version', 'ok', named(' failed to start the turn: the host was written for host API version 99; this Threadline supports 1$')],
    ['loadEngine', 'ok', named(' failed to start the turn: could not load the engine: loadEngine blew up$')],
    ['not-an-engine', 'ok', named(' failed to start the turn: loadEngine returned an engine without interrupt, truncateBeforeLastUserMessage$')],
  ];
  for (const [fail, prompt, error] of cases) {
    const server = await misbehavingServer(t, fail);
    const thread = await newThread(server.client);
    // Twice: the thread accepts the next prompt (a host that cannot be created is tried again).
    for (let attempt = 0; attempt < 2; attempt++) {
      await assert.rejects(server.client.request('thread/startTurn', { threadId: thread.id, prompt }), (err) => {
        assert.ok(err instanceof HostError, String(err));
        assert.match(err.message, error);
        assert.deepStrictEqual(err.data.host, HOST);
        return true;
      });
    }
    const { thread: after, turns } = await server.client.request('thread/get', { threadId: thread.id, includeTurns: true });
    assert.deepStrictEqual([after.status, turns!.map((turn) => turn.status)], ['idle', ['failed', 'failed']]);
    if (fail === undefined) await assertNextPromptWorks(server, thread.id);
  }
});

test('a host whose steer throws or answers a non-boolean: the prompt is queued, the running turn fails, and the queued prompt then runs', async (t) => {
  for (const [fail, error] of [
    ['steer', named(': steer failed: steer blew up$')],
    ['steer-not-boolean', named(': steer failed: steer returned string, not a boolean$')],
  ] as const) {
    const server = await misbehavingServer(t, fail);
    const thread = await newThread(server.client);
    const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hang' });
    const steered = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'ok', delivery: 'steer' });
    assert.equal(steered.queued?.state, 'pending');
    const done = (await server.events.turnCompleted(turn.id)).payload.turn;
    assert.deepStrictEqual([done.status, error.test(done.error!)], ['failed', true], done.error);
    const promoted = await server.events.waitFor({ kind: 'prompt.promoted', where: (e) => e.payload.admission.id === steered.queued!.id });
    assert.equal((await server.events.turnCompleted(promoted.payload.turnId)).payload.turn.status, 'completed');
  }
});

test('a host whose interrupt throws: the turn still ends interrupted, and the next prompt gets a fresh engine', async (t) => {
  const server = await misbehavingServer(t, 'interrupt');
  const thread = await newThread(server.client);
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hang' });
  const { turn: ended } = await server.client.request('thread/interrupt', { threadId: thread.id });
  assert.deepStrictEqual([ended!.id, ended!.status], [turn.id, 'interrupted']);
  await assertNextPromptWorks(server, thread.id);
  await waitForStderr(server, /host: interrupt failed; the engine will be reloaded .*interrupt blew up/);
});

test('a host whose truncate throws: the edit\'s turn fails with HostError, and the next prompt runs', async (t) => {
  const server = await misbehavingServer(t, 'truncate');
  const thread = await newThread(server.client);
  await assertNextPromptWorks(server, thread.id);
  await assert.rejects(server.client.request('thread/editLastTurn', { threadId: thread.id, content: 'ok' }), (err) => {
    assert.ok(err instanceof HostError);
    assert.match(err.message, named(' failed to start the turn: truncating the conversation failed: truncate blew up$'));
    return true;
  });
  await assertNextPromptWorks(server, thread.id);
});

test('a host whose dispose throws: deleting the thread still works and the server goes on', async (t) => {
  const server = await misbehavingServer(t, 'dispose');
  const thread = await newThread(server.client);
  await assertNextPromptWorks(server, thread.id);
  assert.deepStrictEqual(await server.client.request('thread/delete', { threadId: thread.id }), { deleted: true });
  await assertNextPromptWorks(server, (await newThread(server.client)).id);
  await waitForStderr(server, /host: dispose failed .*dispose blew up/);
});

test('a host that writes to console.log, throws from a timer or leaves a rejection unhandled does not corrupt stdout or crash the server', async (t) => {
  const server = await misbehavingServer(t, undefined, true);
  const thread = await newThread(server.client);
  for (const prompt of ['console', 'timer-throws']) {
    const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt });
    assert.equal((await server.events.turnCompleted(turn.id)).payload.turn.status, 'completed');
  }
  await waitForStderr(server, /^a host writing to stdout$/);
  await waitForStderr(server, /uncaught exception \(a host bug\?\).*thrown from a host timer/);
  await waitForStderr(server, /unhandled rejection \(a host bug\?\).*an unhandled host rejection/);
  await assertNextPromptWorks(server, thread.id);
});
