import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { chunk, FakeOpenAI, send, startSse } from '../helpers/fake-openai.js';
import { runTurn } from '../helpers/openai-server.js';
import { newThread, startServer } from '../helpers/server.js';

// Credentials in --openai-base-url (`user:pw@`, `?api_key=`) must not be repeated in what a
// failed turn stores as its error, nor in the server's log.
const SECRETS = ['s3cretpw', 'k3yvalue', 't0kenvalue'];

async function serverFor(t: TestContext, baseUrl: string) {
  return startServer(t, {
    args: ['--host', 'openai', '--openai-base-url', baseUrl, '--model', 'gpt-4o', '--openai-max-retries', '0'],
    env: { ...process.env, OPENAI_API_KEY: 'sk-test' },
  });
}

function assertNoSecret(what: string, text: string) {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what} repeats "${secret}": ${text}`);
}

test('openai: a base URL with user:password@ and ?api_key= fails the turn without repeating either, in the error or the log', async (t) => {
  const fake = await FakeOpenAI.start(t);
  const url = fake.url.replace('http://', 'http://alice:s3cretpw@');
  const server = await serverFor(t, `${url}?api_key=k3yvalue&token=t0kenvalue`);
  const thread = await newThread(server.client);
  const { turn } = await runTurn(server, thread.id, 'hi');
  assert.equal(turn.status, 'failed');
  // fetch refuses a URL with credentials (and quotes it whole): the endpoint is never reached.
  assert.match(turn.error!, /^cannot reach the model endpoint http:\/\/\*\*\*@127\.0\.0\.1:\d+\/v1\?api_key=\*\*\*&token=\*\*\*: /);
  assertNoSecret('the turn error', turn.error!);
  assertNoSecret('the stored events', JSON.stringify((await server.client.request('thread/events', { threadId: thread.id })).events));
  await server.spawned.close();
  assertNoSecret('the log', server.stderr.join('\n'));
});

test('openai: a reply cut short by an endpoint whose URL holds ?api_key= names the endpoint without the key', async (t) => {
  const fake = await FakeOpenAI.start(t);
  fake.respond((_req, res) => {
    startSse(res);
    send(res, chunk({ content: 'Half a sen' }));
    res.end(); // no finish_reason: the reply was cut
  });
  const server = await serverFor(t, `${fake.url}?api_key=k3yvalue`);
  const thread = await newThread(server.client);
  const { turn } = await runTurn(server, thread.id, 'hi');
  assert.deepStrictEqual([turn.status, turn.error], ['failed', `the stream from ${fake.url}?api_key=*** ended before the reply was complete (the connection was cut)`]);
  await server.spawned.close();
  assertNoSecret('the log', server.stderr.join('\n'));
});
