import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { startRaw, type RawMessage, type RawServer } from '../helpers/raw-server.js';

/** One JSON-RPC request body. */
const body = (id: unknown, method: string, params: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

async function initialized(t: TestContext): Promise<RawServer> {
  const server = await startRaw(t);
  await server.call(0, 'initialize', { protocolVersion: PROTOCOL_VERSION });
  return server;
}

/** Writes several framed requests in one write, so the server reads them in one chunk. */
function pipelined(server: RawServer, bodies: string[]): void {
  server.send(Buffer.concat(bodies.map((b) => Buffer.from(`Content-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`))));
}

async function answers(server: RawServer, n: number): Promise<RawMessage[]> {
  const out: RawMessage[] = [];
  for (let i = 0; i < n; i++) out.push(await server.next());
  return out;
}

/**
 * The writes that once hung for the life of the server after a dropped request (the group
 * committer waited for a request that was never going to be dispatched) are answered promptly.
 */
async function writesStillCommit(server: RawServer): Promise<void> {
  const created = await server.call('w1', 'thread/create', { title: 'after' }, 3000);
  const threadId = (created.result as { thread: { id: string } }).thread.id;
  const started = await server.call('w2', 'thread/startTurn', { threadId, prompt: 'hello' }, 3000);
  assert.equal(started.id, 'w2');
  assert.ok((started.result as { turn?: { id?: unknown } } | undefined)?.turn?.id, JSON.stringify(started));
  const drained = await server.call('w3', 'thread/drain', { threadId }, 3000);
  assert.equal(drained.id, 'w3');
  assert.ok(!drained.error, JSON.stringify(drained));
}

async function titles(server: RawServer): Promise<string[]> {
  const listed = await server.call('list', 'thread/list', {});
  return (listed.result as { threads: { title: string }[] }).threads.map((th) => th.title).sort();
}

test('two pipelined requests with the same id: the first runs, the second is answered -32600 naming the id and changes nothing; later writes still commit', async (t) => {
  const server = await initialized(t);
  pipelined(server, [body(7, 'thread/create', { title: 'first' }), body(7, 'thread/create', { title: 'second' })]);
  const [a, b] = await answers(server, 2);
  const refused = [a, b].find((m) => m!.error)!;
  const ran = [a, b].find((m) => !m!.error)!;
  assert.ok(refused && ran, `expected one answer and one refusal, got ${JSON.stringify([a, b])}`);
  assert.deepStrictEqual(
    [refused.id, refused.error?.code, refused.error?.data?.kind, refused.error?.data?.id],
    [7, -32600, 'invalid_request', 7],
  );
  assert.match(refused.error!.message, /id 7 .*in flight/);
  assert.equal(ran.id, 7);
  assert.equal((ran.result as { thread: { title: string } }).thread.title, 'first');
  assert.deepStrictEqual(await titles(server), ['first']);
  await writesStillCommit(server);
});

test('ids 1 and "1" are different requests: both run and each is answered with its own id', async (t) => {
  const server = await initialized(t);
  pipelined(server, [body(1, 'thread/create', { title: 'number' }), body('1', 'thread/create', { title: 'string' })]);
  const got = await answers(server, 2);
  const byId = got.map((m) => [typeof m.id, m.id, (m.result as { thread?: { title?: string } } | undefined)?.thread?.title ?? m.error?.message]);
  assert.deepStrictEqual(byId, [
    ['number', 1, 'number'],
    ['string', '1', 'string'],
  ]);
  assert.deepStrictEqual(await titles(server), ['number', 'string']);
  await writesStillCommit(server);
});

test('a request reusing the id of a request still in flight (a waiting turn/wait) is refused, and the first is still answered once', async (t) => {
  const server = await initialized(t);
  const threadId = ((await server.call(1, 'thread/create', {})).result as { thread: { id: string } }).thread.id;
  const { turn } = (await server.call(2, 'thread/startTurn', { threadId, prompt: '!hang' })).result as { turn: { id: string } };
  server.request(9, 'turn/wait', { turnId: turn.id });
  const refused = await server.call(9, 'thread/create', { title: 'must not exist' });
  assert.deepStrictEqual([refused.id, refused.error?.code, refused.error?.data?.id], [9, -32600, 9], JSON.stringify(refused));
  assert.ok(!(await titles(server)).includes('must not exist'));
  server.request(3, 'thread/interrupt', { threadId });
  const rest = await answers(server, 2);
  const waited = rest.filter((m) => m.id === 9);
  assert.equal(waited.length, 1, JSON.stringify(rest));
  assert.equal((waited[0]!.result as { turn?: { status?: string } } | undefined)?.turn?.status, 'interrupted', JSON.stringify(waited));
  // Once answered, the id is free again.
  assert.equal((await server.call(9, 'thread/list', {})).error, undefined);
});

test('many pipelined requests reusing a handful of ids: every request gets exactly one answer', async (t) => {
  const server = await initialized(t);
  const N = 200;
  const ids = Array.from({ length: N }, (_, i) => (i % 2 === 0 ? i % 5 : String(i % 5)));
  pipelined(server, ids.map((id) => body(id, 'thread/list', {})));
  const got = await answers(server, N);
  const key = (id: unknown) => `${typeof id}:${String(id)}`;
  const count = (ms: RawMessage[]) => ms.map((m) => key(m.id)).sort();
  assert.deepStrictEqual(count(got), ids.map(key).sort());
  // The first request of each id runs (nothing was in flight for it); which later ones are refused depends on timing.
  assert.ok(got.some((m) => !m.error));
  for (const m of got) if (m.error) assert.equal(m.error.code, -32600, JSON.stringify(m));
  await writesStillCommit(server);
});

test('answers to approval/request: one with the id as a string and a second answer are ignored; the real one decides', async (t) => {
  const server = await startRaw(t);
  await server.call(0, 'initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: { approvals: true } });
  const threadId = ((await server.call(1, 'thread/create', {})).result as { thread: { id: string } }).thread.id;
  server.request(2, 'thread/startTurn', { threadId, prompt: '!tool shell make\ndone' });
  const [x, y] = await answers(server, 2);
  const asked = [x, y].find((m) => m!.method === 'approval/request')!;
  const turnId = ([x, y].find((m) => m!.id === 2)!.result as { turn: { id: string } }).turn.id;
  assert.equal(typeof asked.id, 'number', JSON.stringify(asked));
  const answer = (id: unknown, decision: string) => server.frame(JSON.stringify({ jsonrpc: '2.0', id, result: { decision } }));
  answer(String(asked.id), 'deny'); // not our id: 7 is not "7"
  answer(asked.id, 'approve');
  answer(asked.id, 'deny'); // a second answer
  const waited = await server.call(3, 'turn/wait', { turnId });
  assert.equal((waited.result as { turn: { status: string } }).turn.status, 'completed', JSON.stringify(waited));
  const { items } = (await server.call(4, 'turn/get', { turnId })).result as { items: { kind: string; detail: string }[] };
  assert.deepStrictEqual(items.map((i) => [i.kind, i.detail]).slice(1, 3), [['tool_call', 'make'], ['tool_result', 'approved']]);
  assert.deepStrictEqual(server.stderr.filter((line) => / (WARN|ERROR) /.test(line)), []);
});

test('a string id over 1024 characters is refused -32600 (an id is kept while its request is in flight); 1024 are fine', async (t) => {
  const server = await initialized(t);
  const long = 'i'.repeat(1025);
  const refused = await server.call(long, 'thread/create', { title: 'must not exist' });
  assert.deepStrictEqual([refused.id, refused.error?.code, refused.error?.data?.maxIdLength], [long, -32600, 1024]);
  const ok = await server.call(long.slice(1), 'thread/create', { title: 'ok' });
  assert.equal(ok.id, long.slice(1));
  assert.deepStrictEqual(await titles(server), ['ok']);
});
