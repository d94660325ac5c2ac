import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParamsError, InvalidRequestError, PROTOCOL_VERSION, ServerNotInitializedError } from '@threadline/protocol';
import { startServer } from '../helpers/server.js';

test('initialize answers with the server, its capabilities and the database path', async (t) => {
  const server = await startServer(t);
  assert.deepStrictEqual(server.initializeResult, {
    protocolVersion: PROTOCOL_VERSION,
    serverInfo: { name: 'threadline', version: '0.1.0' },
    capabilities: { framing: 'lsp', hosts: ['echo', 'exec', 'openai'], steer: true, approvals: true, history: true },
    dbPath: server.dbLocation,
  });
});

test('a request before initialize fails with ServerNotInitialized, and initialize still works after it', async (t) => {
  const { client } = await startServer(t, { initialize: false });
  await assert.rejects(client.request('thread/list', {}), (err) => err instanceof ServerNotInitializedError && err.code === -32002);
  const result = await client.initialize();
  assert.equal(result.protocolVersion, PROTOCOL_VERSION);
});

test('an unsupported protocolVersion fails with -32602 listing the supported versions', async (t) => {
  const { client } = await startServer(t, { initialize: false });
  await assert.rejects(client.request('initialize', { protocolVersion: 2 }), (err) => {
    assert.ok(err instanceof InvalidParamsError);
    assert.match(err.message, /supports: 1/);
    assert.deepStrictEqual(err.data.issues[0]?.path, ['protocolVersion']);
    return true;
  });
});

test('a second initialize fails with -32600 and the session stays usable', async (t) => {
  const { client } = await startServer(t);
  await assert.rejects(client.initialize(), (err) => err instanceof InvalidRequestError);
  assert.deepStrictEqual((await client.request('thread/list', {})).threads, []);
});

test('shutdown then exit stops the server with exit code 0', async (t) => {
  const server = await startServer(t);
  await server.client.shutdown();
  assert.deepStrictEqual(await server.spawned.exited, { code: 0, signal: null });
});

test('closing stdin stops the server with exit code 0', async (t) => {
  const server = await startServer(t);
  server.spawned.process.stdin!.end();
  assert.deepStrictEqual(await server.spawned.exited, { code: 0, signal: null });
});
