import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { rssKb, untilLogged } from '../helpers/process-watch.js';
import { startRaw, type RawMessage } from '../helpers/raw-server.js';

/** The server's limit on requests in flight on one connection (src/rpc/request-ids.ts). */
const MAX_IN_FLIGHT = 10_000;
/**
 * How long one answer may take while 10,000 requests are in flight: each `turn/wait` reads its
 * turn first, and on Postgres that is a round trip each (on a loaded 2-core CI machine the
 * refusal came after more than 20 s). A hang still fails, only later.
 */
const PATIENCE_MS = 60_000;


test(`past ${MAX_IN_FLIGHT} requests in flight a request is answered -32600 and not run; every request is answered once`, async (t) => {
  const server = await startRaw(t);
  await server.call(0, 'initialize', { protocolVersion: PROTOCOL_VERSION });
  const threadId = ((await server.call(1, 'thread/create', {})).result as { thread: { id: string } }).thread.id;
  const { turn } = (await server.call(2, 'thread/startTurn', { threadId, prompt: '!hang' })).result as { turn: { id: string } };
  // Each waits as long as the turn runs; the client cannot interrupt meanwhile (that request would
  // be refused too), so it closes stdin: the server ends the turn and answers every wait, then exits.
  const frames: string[] = [];
  for (let i = 0; i < MAX_IN_FLIGHT; i++) {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1000 + i, method: 'turn/wait', params: { turnId: turn.id } });
    frames.push(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  server.send(frames.join(''));
  const refused = await server.call('over', 'thread/create', { title: 'must not exist' }, PATIENCE_MS);
  assert.deepStrictEqual(
    [refused.id, refused.error?.code, refused.error?.data?.kind, refused.error?.data?.maxInFlight],
    ['over', -32600, 'invalid_request', MAX_IN_FLIGHT],
    JSON.stringify(refused),
  );
  server.child.stdin!.end();
  const answered = new Map<unknown, RawMessage>();
  while (answered.size < MAX_IN_FLIGHT) {
    const answer = await server.next(PATIENCE_MS);
    assert.ok(!answered.has(answer.id), `answered twice: ${JSON.stringify(answer)}`);
    assert.equal((answer.result as { turn?: { status?: string } } | undefined)?.turn?.status, 'interrupted', JSON.stringify(answer));
    answered.set(answer.id, answer);
  }
  assert.deepStrictEqual([...answered.keys()].sort(), Array.from({ length: MAX_IN_FLIGHT }, (_, i) => 1000 + i).sort());
  assert.deepStrictEqual(await server.exited, { code: 0, signal: null });
});

test('a client that sends garbage without reading the errors it earns keeps the server memory bounded', async (t) => {
  // At info level: a debug line per rejected line would make stderr, not stdout, the bottleneck.
  const server = await startRaw(t, { framing: 'ndjson', args: ['--log-level', 'info'] });
  await server.call(0, 'initialize', { protocolVersion: PROTOCOL_VERSION });
  const pid = server.child.pid!;
  const baseline = rssKb(pid);
  server.child.stdout!.pause();
  // 1.5 million lines that are not JSON: ~3 MB in, ~180 MB of -32700 errors out.
  const LINES = 1_500_000;
  const chunk = 'x\n'.repeat(100_000);
  for (let i = 0; i < LINES / 100_000; i++) server.send(chunk);
  // The server stops reading once its unread output passes 8 MiB (it used to answer every line, 1 GB+).
  const held = () => server.stderr.some((line) => line.includes('not reading its answers: holding requests back'));
  await untilLogged(server, held, 30_000, 'the server holding back a client that does not read');
  const peak = rssKb(pid);
  t.diagnostic(`VmRSS ${baseline} kB before, ${peak} kB while the client did not read`);
  // 8 MiB of unread errors cost ~90 MB here (each is a pending write with its promise until the pipe takes it).
  assert.ok(peak < baseline + 150 * 1024, `VmRSS grew from ${baseline} kB to ${peak} kB`);
  server.child.stdout!.resume();
  const first = await server.next(10_000);
  assert.equal(first.error?.code, -32700);
});

test('requests sent just before stdin closes are all answered even when the answers are far more than a pipe holds', async (t) => {
  const server = await startRaw(t);
  await server.call(0, 'initialize', { protocolVersion: PROTOCOL_VERSION });
  const N = 2000;
  const title = 't'.repeat(1000); // ~1.3 KB an answer, 2.6 MB in all
  const frames: string[] = [];
  for (let i = 0; i < N; i++) {
    const body = JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'thread/create', params: { title } });
    frames.push(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  server.send(frames.join(''));
  server.child.stdin!.end();
  const ids: unknown[] = [];
  for (let i = 0; i < N; i++) ids.push((await server.next(10_000)).id);
  assert.deepStrictEqual(ids, Array.from({ length: N }, (_, i) => i + 1));
  assert.deepStrictEqual(await server.exited, { code: 0, signal: null });
});
