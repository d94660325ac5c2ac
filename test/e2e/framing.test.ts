import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { startRaw, type RawFraming, type RawMessage, type RawServer } from '../helpers/raw-server.js';
import { newThread, startServer } from '../helpers/server.js';

test('with --framing ndjson a whole session runs through the protocol client', async (t) => {
  const server = await startServer(t, { framing: 'ndjson' });
  assert.deepStrictEqual(server.initializeResult, {
    protocolVersion: PROTOCOL_VERSION,
    serverInfo: { name: 'threadline', version: '0.1.0' },
    capabilities: { framing: 'ndjson', hosts: ['echo', 'exec', 'openai'], steer: true, approvals: true, history: true },
    dbPath: server.dbLocation,
  });
  const thread = await newThread(server.client, { title: 'over ndjson' });
  assert.equal(thread.title, 'over ndjson');
  const { turn, queued } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hello world' });
  assert.equal(queued, null);
  const completed = await server.events.turnCompleted(turn.id);
  assert.equal(completed.payload.turn.status, 'completed');
  const { turn: stored, items } = await server.client.request('turn/get', { turnId: turn.id });
  assert.equal(stored.status, 'completed');
  assert.deepStrictEqual(
    items.map((item) => ({ kind: item.kind, status: item.status, summary: item.summary, detail: item.detail })),
    [
      { kind: 'user_message', status: 'completed', summary: 'hello world', detail: 'hello world' },
      { kind: 'agent_message', status: 'completed', summary: 'echo[1]: hello world', detail: 'echo[1]: hello world' },
    ],
  );
});

/** Reads messages in order (events included) until one satisfies `done`; returns all of them. */
async function readUntil(server: RawServer, done: (m: RawMessage) => boolean): Promise<RawMessage[]> {
  const seen: RawMessage[] = [];
  for (;;) {
    const message = await server.next(10_000, { events: true });
    seen.push(message);
    if (done(message)) return seen;
  }
}

const eventKind = (m: RawMessage): unknown => (m.method === 'thread/event' ? (m.params as { kind?: unknown }).kind : undefined);

for (const framing of ['lsp', 'ndjson'] as RawFraming[]) {
  test(`${framing}: every byte the server writes to stdout during a session belongs to a well-formed frame`, async (t) => {
    const server = await startRaw(t, { framing });
    const init = await server.call(1, 'initialize', { protocolVersion: PROTOCOL_VERSION });
    assert.equal((init.result as { capabilities?: { framing?: unknown } }).capabilities?.framing, framing);

    server.request(2, 'thread/create', { title: 'bytes' });
    const created = await readUntil(server, (m) => m.id === 2);
    // The events a call commits are sent before its response.
    assert.deepStrictEqual(created.map((m) => eventKind(m) ?? m.id), ['thread.created', 2]);
    const threadId = (created[1]!.result as { thread: { id: string } }).thread.id;

    server.request(3, 'thread/startTurn', { threadId, prompt: 'hello world' });
    const turnMessages = await readUntil(server, (m) => eventKind(m) === 'turn.completed');
    const started = turnMessages.find((m) => m.id === 3);
    assert.ok(started?.result, `thread/startTurn answered ${JSON.stringify(started)}`);
    const turnId = (started.result as { turn: { id: string } }).turn.id;
    const completed = turnMessages.at(-1)!.params as { turnId?: unknown; payload: { turn: { status: unknown } } };
    assert.deepStrictEqual({ turnId: completed.turnId, status: completed.payload.turn.status }, { turnId, status: 'completed' });

    assert.deepStrictEqual(await server.call(4, 'shutdown'), { jsonrpc: '2.0', id: 4, result: null });
    server.notify('exit');
    assert.deepStrictEqual(await server.exited, { code: 0, signal: null });
    await server.closed;

    assert.deepStrictEqual(server.violations, []);
    assert.equal(server.pendingBytes, 0, 'stdout ended inside a frame');
    assert.ok(server.bytesOut > 0);
    assert.equal(server.bytesParsed, server.bytesOut);
    // The logs exist, on stderr (the session runs at --log-level debug).
    assert.ok(server.stderr.some((line) => line.includes('threadline serving')), server.stderr.join('\n'));
  });
}

test('requests received just before stdin closes are still answered, then the server exits 0', async (t) => {
  const server = await startRaw(t, { framing: 'ndjson' });
  server.request(1, 'initialize', { protocolVersion: PROTOCOL_VERSION });
  server.request(2, 'thread/create', { title: 'last words' });
  server.request(3, 'thread/list', {});
  server.child.stdin!.end();
  const answers = [await server.next(10_000), await server.next(10_000), await server.next(10_000)];
  assert.deepStrictEqual(answers.map((m) => m.id), [1, 2, 3]);
  const listed = answers[2]!.result as { threads: { title: string }[] };
  assert.deepStrictEqual(listed.threads.map((x) => x.title), ['last words']);
  assert.deepStrictEqual(await server.exited, { code: 0, signal: null });
});

test('a bare JSON line sent to an LSP-framed server is answered with a hint to use --framing ndjson, and a framed message after it is served', async (t) => {
  const server = await startRaw(t, { framing: 'lsp' });
  server.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":1}}\n');
  const hint = await server.next(10_000);
  assert.equal(hint.error?.code, -32700);
  assert.match(hint.error!.message, /--framing ndjson/);
  server.request(2, 'initialize', { protocolVersion: PROTOCOL_VERSION });
  assert.equal((await server.next(10_000)).id, 2);
});
