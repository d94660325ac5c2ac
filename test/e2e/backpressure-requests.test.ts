import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { rssKb, untilLogged } from '../helpers/process-watch.js';
import { startRaw } from '../helpers/raw-server.js';

/** Requests sent without reading; each answer is a few MB (the issue: 1.3 GB of RSS after 300). */
const REQUESTS = 75;
const RSS_BOUND_KB = 250 * 1024;


test(`a client that sends ${REQUESTS} large thread/events requests without reading keeps the server's RSS bounded, then gets every answer exactly once`, async (t) => {
  const server = await startRaw(t, { args: ['--log-level', 'debug'] });
  await server.call(0, 'initialize', { protocolVersion: PROTOCOL_VERSION });
  const threadId = ((await server.call(1, 'thread/create', {})).result as { thread: { id: string } }).thread.id;
  // One long word: the echo reply is one delta, and the page holds the prompt four times over.
  const { turn } = (await server.call(2, 'thread/startTurn', { threadId, prompt: 'x'.repeat(1000 * 1000) })).result as { turn: { id: string } };
  await server.call(3, 'turn/wait', { turnId: turn.id });
  const before = server.bytesOut;
  const page = await server.call(4, 'thread/events', { threadId }, 10_000);
  const pageBytes = server.bytesOut - before;
  assert.ok((page.result as { events: unknown[] }).events.length > 0);
  t.diagnostic(`each answer is ${(pageBytes / 1e6).toFixed(1)} MB; ${REQUESTS} of them: ${((pageBytes * REQUESTS) / 1e6).toFixed(0)} MB`);
  assert.ok(pageBytes * REQUESTS > RSS_BOUND_KB * 1024, 'the answers together must be over the bound (before the fix the server held them all)');

  const pid = server.child.pid!;
  const baseline = rssKb(pid);
  server.child.stdout!.pause(); // stop reading
  for (let i = 0; i < REQUESTS; i++) server.request(100 + i, 'thread/events', { threadId });
  // Either the server holds requests back (fixed), or it has run every one of them (before the fix).
  const held = () => server.stderr.some((line) => line.includes('not reading its answers: holding requests back'));
  const handled = () => server.stderr.filter((line) => line.includes('handled') && line.includes('thread/events')).length;
  await untilLogged(server, () => held() || handled() >= REQUESTS + 1, 60_000, 'the server held requests back or ran them all');
  const peak = rssKb(pid);
  t.diagnostic(`VmRSS ${baseline} kB before, ${peak} kB while the client did not read`);
  assert.ok(peak < RSS_BOUND_KB, `VmRSS is ${peak} kB while the client does not read (bound ${RSS_BOUND_KB} kB)`);

  server.child.stdout!.resume();
  const ids: unknown[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const answer = await server.next(30_000);
    assert.ok((answer.result as { events?: unknown[] } | undefined)?.events?.length, JSON.stringify(answer).slice(0, 300));
    ids.push(answer.id);
  }
  // Each exactly once; in any order (JSON-RPC allows it, and on Postgres reads run side by side).
  assert.deepStrictEqual([...ids].sort(), Array.from({ length: REQUESTS }, (_, i) => 100 + i));
  assert.equal((await server.call('after', 'thread/list', {})).id, 'after'); // nothing more, nothing twice
  assert.equal(server.queued, 0);
});
