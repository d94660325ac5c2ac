import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { startRaw, type RawServer } from '../helpers/raw-server.js';

async function initialized(t: TestContext): Promise<RawServer> {
  const server = await startRaw(t);
  await server.call(0, 'initialize', { protocolVersion: PROTOCOL_VERSION });
  return server;
}

const frame = (b: string) => `Content-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
const listRequest = (id: number) => frame(JSON.stringify({ jsonrpc: '2.0', id, method: 'thread/list', params: {} }));

/** Notifications a client may get wrong; none is answered, and none may stop what follows it. */
const MALFORMED: [string, string][] = [
  ['$/cancelRequest without params', '{"jsonrpc":"2.0","method":"$/cancelRequest"}'],
  ['$/cancelRequest with params []', '{"jsonrpc":"2.0","method":"$/cancelRequest","params":[]}'],
  ['$/cancelRequest with id null', '{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":null}}'],
  ['$/cancelRequest with an object id', '{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":{"x":1}}}'],
  ['$/cancelRequest with a boolean id', '{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":true}}'],
  ['$/cancelRequest for an id never sent', '{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"nope"}}'],
  ['$/progress without params', '{"jsonrpc":"2.0","method":"$/progress"}'],
  ['an unknown $/ notification', '{"jsonrpc":"2.0","method":"$/whatever","params":{"a":1}}'],
];

for (const [what, notification] of MALFORMED) {
  test(`${what} is dropped without an answer, and a request in the same chunk after it is answered at once`, async (t) => {
    const server = await initialized(t);
    // One write: the request must be served without the client writing anything more.
    server.send(frame(notification) + listRequest(5));
    const answer = await server.next(3000);
    assert.equal(answer.id, 5, JSON.stringify(answer));
    assert.ok(answer.result, JSON.stringify(answer));
    assert.equal((await server.call(6, 'thread/list', {})).id, 6); // nothing answered the notification
    // Dropped at debug level: not an ERROR (startRaw checks) and not a WARN.
    assert.deepStrictEqual(server.stderr.filter((line) => / (WARN|ERROR) /.test(line)), []);
  });
}

test('$/cancelRequest for "1" does not touch the request with id 1, and a valid cancel leaves the request answered once', async (t) => {
  const server = await initialized(t);
  const threadId = ((await server.call(1, 'thread/create', {})).result as { thread: { id: string } }).thread.id;
  const { turn } = (await server.call(2, 'thread/startTurn', { threadId, prompt: '!hang' })).result as { turn: { id: string } };
  server.request(1, 'turn/wait', { turnId: turn.id });
  server.notify('$/cancelRequest', { id: '1' });
  server.notify('$/cancelRequest', { id: 1 });
  server.request(3, 'thread/interrupt', { threadId });
  const got = [await server.next(), await server.next()];
  assert.deepStrictEqual(got.map((m) => m.id).sort(), [1, 3]);
  assert.equal((await server.call(4, 'thread/list', {})).id, 4);
});

test('exit with params still exits (0): a notification cannot be refused, and exit means exit', async (t) => {
  const server = await initialized(t);
  await server.call(1, 'shutdown');
  server.notify('exit', [1, 2, 3]);
  assert.deepStrictEqual(await server.exited, { code: 0, signal: null });
});
