import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { startRaw, type RawFraming, type RawMessage, type RawServer } from '../helpers/raw-server.js';

const FRAMINGS: RawFraming[] = ['lsp', 'ndjson'];
const MAX_MESSAGE_BYTES = 1024;

interface ExpectedError {
  id: string | number | null;
  code: number;
  kind: string;
}

/** The message is an error response with this id, code and `data.kind` (a snake_case name). */
function assertError(message: RawMessage, expected: ExpectedError): NonNullable<RawMessage['error']> {
  assert.ok(message.error, `expected an error response, got ${JSON.stringify(message)}`);
  assert.match(String(message.error.data?.kind), /^[a-z]+(_[a-z]+)*$/, `data.kind of ${JSON.stringify(message)}`);
  assert.deepStrictEqual(
    { jsonrpc: message.jsonrpc, id: message.id, code: message.error.code, kind: message.error.data?.kind, hasResult: 'result' in message },
    { jsonrpc: '2.0', id: expected.id, code: expected.code, kind: expected.kind, hasResult: false },
  );
  assert.equal(typeof message.error.message, 'string');
  return message.error;
}

/** -32602 whose `data.issues` has exactly one issue, at `path`. */
async function assertInvalidParams(server: RawServer, id: number, method: string, params: unknown, path: (string | number)[]) {
  const error = assertError(await server.call(id, method, params), { id, code: -32602, kind: 'invalid_params' });
  const issues = error.data?.issues as { path: unknown; message: unknown }[] | undefined;
  assert.ok(Array.isArray(issues), `data.issues of ${JSON.stringify(error)}`);
  assert.deepStrictEqual(issues.map((issue) => issue.path), [path]);
  assert.equal(typeof issues[0]?.message, 'string');
}

/** An initialized server on a fresh database, with a small message limit. */
async function initialized(t: TestContext, framing: RawFraming): Promise<RawServer> {
  const server = await startRaw(t, { framing, args: ['--max-message-bytes', String(MAX_MESSAGE_BYTES)] });
  const init = await server.call(0, 'initialize', { protocolVersion: PROTOCOL_VERSION });
  assert.equal(init.id, 0);
  assert.equal((init.result as { protocolVersion?: unknown } | undefined)?.protocolVersion, PROTOCOL_VERSION, JSON.stringify(init));
  return server;
}

/** The server still serves: the next message is the answer to a fresh `thread/list`, and the process runs. */
async function stillServes(server: RawServer): Promise<void> {
  const answer = await server.call('after', 'thread/list', {});
  assert.equal(answer.id, 'after', `expected the answer to the follow-up request, got ${JSON.stringify(answer)}`);
  assert.ok(answer.result && Array.isArray((answer.result as { threads?: unknown }).threads), JSON.stringify(answer));
  assert.deepStrictEqual(server.violations, []);
  assert.equal(server.child.exitCode, null);
  assert.equal(server.child.signalCode, null);
}

interface Case {
  title: string;
  only?: RawFraming;
  run: (server: RawServer) => Promise<void>;
}

const notJsonRpc: [string, string][] = [
  ['a number', '42'],
  ['a string', '"x"'],
  ['an object without jsonrpc and method', '{"foo":1}'],
];

const CASES: Case[] = [
  {
    title: 'a body that is not JSON is answered -32700 with id null',
    run: async (s) => {
      s.frame('not json {');
      assertError(await s.next(), { id: null, code: -32700, kind: 'parse_error' });
    },
  },
  ...notJsonRpc.map(([what, body]): Case => ({
    title: `valid JSON that is not a JSON-RPC message (${what}) is answered -32600 with id null`,
    run: async (s) => {
      s.frame(body);
      assertError(await s.next(), { id: null, code: -32600, kind: 'invalid_request' });
    },
  })),
  {
    title: 'a batch array is answered one -32600 with id null and none of its requests is run',
    run: async (s) => {
      s.frame('[{"jsonrpc":"2.0","id":9,"method":"thread/create","params":{}}]');
      assertError(await s.next(), { id: null, code: -32600, kind: 'invalid_request' });
      assert.deepStrictEqual((await s.call(10, 'thread/list', {})).result, { threads: [] });
    },
  },
  {
    title: 'an unknown method is answered -32601 with the request id',
    run: async (s) => {
      s.frame('{"jsonrpc":"2.0","id":3,"method":"thread/nope","params":{}}');
      assertError(await s.next(), { id: 3, code: -32601, kind: 'method_not_found' });
    },
  },
  {
    title: 'an unknown notification is ignored without an answer',
    run: async (s) => s.notify('thread/nope', {}),
  },
  {
    title: 'thread/create with a numeric title is answered -32602 naming title',
    run: (s) => assertInvalidParams(s, 4, 'thread/create', { title: 5 }, ['title']),
  },
  {
    title: 'thread/get with a numeric threadId is answered -32602 naming threadId',
    run: (s) => assertInvalidParams(s, 5, 'thread/get', { threadId: 7 }, ['threadId']),
  },
  {
    title: 'thread/list with limit 0 is answered -32602 naming limit',
    run: (s) => assertInvalidParams(s, 6, 'thread/list', { limit: 0 }, ['limit']),
  },
  {
    title: 'thread/list with a string limit is answered -32602 naming limit',
    run: (s) => assertInvalidParams(s, 7, 'thread/list', { limit: 'x' }, ['limit']),
  },
  {
    title: 'params given as a JSON array are answered -32602',
    run: async (s) => {
      const error = assertError(await s.call(8, 'thread/create', [{ title: 't' }]), { id: 8, code: -32602, kind: 'invalid_params' });
      assert.ok(Array.isArray(error.data?.issues), JSON.stringify(error));
      assert.deepStrictEqual((await s.call(81, 'thread/list', {})).result, { threads: [] });
    },
  },
  {
    title: `a message over --max-message-bytes ${MAX_MESSAGE_BYTES} is answered -32600 carrying its id and is not run`,
    run: async (s) => {
      s.request(11, 'thread/create', { title: 'x'.repeat(MAX_MESSAGE_BYTES * 2) });
      assertError(await s.next(), { id: 11, code: -32600, kind: 'invalid_request' });
      assert.deepStrictEqual((await s.call(12, 'thread/list', {})).result, { threads: [] });
    },
  },
  {
    title: 'a __proto__ key in params is answered normally and pollutes nothing',
    run: async (s) => {
      s.frame('{"jsonrpc":"2.0","id":13,"method":"thread/create","params":{"__proto__":{"x":1},"title":"t"}}');
      const answer = await s.next();
      assert.equal(answer.id, 13);
      const thread = (answer.result as { thread?: { title?: unknown; metadata?: unknown } } | undefined)?.thread;
      assert.deepStrictEqual({ title: thread?.title, metadata: thread?.metadata }, { title: 't', metadata: {} }, JSON.stringify(answer));
      const listed = (await s.call(14, 'thread/list', {})).result as { threads: { title: string }[] };
      assert.deepStrictEqual(listed.threads.map((th) => th.title), ['t']);
    },
  },
  {
    title: 'a body that is not valid UTF-8 is answered -32700',
    run: async (s) => {
      const body = Buffer.from('{"jsonrpc":"2.0","id":15,"method":"thread/create","params":{"title":"\u0000"}}');
      body[body.indexOf(0)] = 0xff;
      s.frame(body);
      assertError(await s.next(), { id: null, code: -32700, kind: 'parse_error' });
    },
  },
  {
    title: 'a header block without Content-Length is answered -32700',
    only: 'lsp',
    run: async (s) => {
      s.send('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n');
      assertError(await s.next(), { id: null, code: -32700, kind: 'parse_error' });
    },
  },
  {
    title: 'a Content-Length that is not a number is answered -32700',
    only: 'lsp',
    run: async (s) => {
      s.send('Content-Length: abc\r\n\r\n');
      assertError(await s.next(), { id: null, code: -32700, kind: 'parse_error' });
    },
  },
  {
    title: 'null params are answered -32600 carrying the request id',
    run: async (s) => {
      s.frame('{"jsonrpc":"2.0","id":16,"method":"thread/list","params":null}');
      assertError(await s.next(), { id: 16, code: -32600, kind: 'invalid_request' });
    },
  },
];

for (const framing of FRAMINGS) {
  for (const c of CASES) {
    if (c.only && c.only !== framing) continue;
    test(`${framing}: ${c.title}, and the server still serves`, async (t) => {
      const server = await initialized(t, framing);
      await c.run(server);
      await stillServes(server);
    });
  }

  test(`${framing}: a request before initialize is answered -32002, and initialize still works after it`, async (t) => {
    const server = await startRaw(t, { framing });
    const error = assertError(await server.call(1, 'thread/list', {}), { id: 1, code: -32002, kind: 'server_not_initialized' });
    assert.equal(error.data?.method, 'thread/list');
    const init = await server.call(2, 'initialize', { protocolVersion: PROTOCOL_VERSION });
    assert.equal((init.result as { protocolVersion?: unknown } | undefined)?.protocolVersion, PROTOCOL_VERSION, JSON.stringify(init));
    await stillServes(server);
  });
}
