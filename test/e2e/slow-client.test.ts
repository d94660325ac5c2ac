import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { ThreadEvent } from '@threadline/protocol';
import { newThread, startServer, waitForStderr } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

/**
 * PROTOCOL.md §11: a client that stops reading stdout while a turn streams far more than the
 * server may buffer. The server must neither grow without bound nor lose anything, and the
 * protocol package's client, once it reads again, must hand its onEvent listeners every event
 * of the thread exactly once, in order — fetching what the server skipped with thread/events.
 */

const MB = 1_000_000;
/**
 * Delta text streamed while the client does not read. Larger than 100 MB on purpose:
 * the echo host streams 100 MB in about a second here, and a server that kept all unread output
 * (a build without the 8 MiB cap) peaked at 222 MB with 100 MB — hardly above the bound. With
 * 300 MB such a server peaks near 420 MB, twice the bound, while the test takes about 10 s alone
 * (16 s under `npm test` on 2 cores; 400 MB took 22 s there).
 */
const STREAMED_BYTES = 300 * MB;
/** Below what is streamed: the server may hold its 8 MiB of unread output, not the stream. */
const RSS_LIMIT_MB = 200;
/** Long words keep the echo engine's per-word cost low: 1000 bytes per word with its space. */
const WORD = 'x'.repeat(999);
const WORDS = STREAMED_BYTES / (WORD.length + 1);
/** The streamed text is `echo[1]:` then each word after a space (PROTOCOL.md §10). */
const HEAD = 'echo[1]:';
const UNIT = ` ${WORD}`;
const TEXT_LENGTH = HEAD.length + UNIT.length * WORDS;
/** 2 MB of the text's period: longer than any delta (≤ 64 KiB + a word) or detail (≤ 1 MiB). */
const TILE = UNIT.repeat(2000);
/** `length` characters of the streamed text from `offset`, without building all of it. */
function expectedText(offset: number, length: number): string {
  const end = Math.min(offset + length, TEXT_LENGTH);
  if (offset < HEAD.length) return (HEAD + TILE).slice(offset, end);
  const from = (offset - HEAD.length) % UNIT.length;
  assert.ok(end - offset <= TILE.length - from, `a text of ${length} characters, longer than this test expects`);
  return TILE.slice(from, from + end - offset);
}
/** How long the paused stream may take to end in the database before the test gives up. */
const STREAM_DEADLINE_MS = 90_000;
/**
 * Pages this test reads the log in. Small because a thread/events response has no byte cap and
 * the client's reader drops a message over 8 MiB: a page of 10000 coalesced 64 KiB deltas would
 * never be answered.
 */
const PAGE = 32;

/** VmRSS of a process in MB, from /proc; undefined once it is gone. */
function rssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Checks the deltas of one item, chunk by chunk, against the streamed text. */
class TextCheck {
  length = 0;
  constructor(private readonly what: string) {}
  add(e: ThreadEvent, itemId: string): void {
    if (e.kind !== 'item.delta' || e.payload.itemId !== itemId) return;
    const { text } = e.payload;
    if (text !== expectedText(this.length, text.length)) {
      assert.fail(`${this.what}: the delta at seq ${e.seq} is not the streamed text at offset ${this.length}`);
    }
    this.length += text.length;
  }
  done(): void {
    assert.equal(this.length, TEXT_LENGTH, `${this.what}: the deltas add up to the streamed text`);
  }
}

test('a client that stops reading: bounded server memory, nothing lost, onEvent sees every event once, in order', sqliteOnly('reads the SQLite file with better-sqlite3'), async (t) => {
  const server = await startServer(t);
  const { client } = server;
  const child = server.spawned.process;
  const pid = child.pid!;
  // What came off the wire; server.events (attached before initialize) has what onEvent delivered.
  const raw: { threadId: string; seq: number }[] = [];
  client.onRawEvent((e) => raw.push({ threadId: e.threadId, seq: e.seq }));
  const thread = await newThread(client, { title: 'unread stdout' });

  // RSS every 100 ms for the whole test. While stdout is paused, the same tick looks at the
  // turn in the database (read-only): with the client not reading, no event can tell us.
  const db = new Database(server.dbPath, { readonly: true, fileMustExist: true });
  t.after(() => db.close());
  const turnStatus = db.prepare<[string], { status: string }>('SELECT status FROM turns WHERE id = ?');
  let peakMb = rssMb(pid) ?? 0;
  let watchTurn: { turnId: string; resolve: (status: string) => void } | undefined;
  const sampler = setInterval(() => {
    peakMb = Math.max(peakMb, rssMb(pid) ?? 0);
    const status = watchTurn && turnStatus.get(watchTurn.turnId)?.status;
    if (status && status !== 'in_progress') {
      watchTurn!.resolve(status);
      watchTurn = undefined;
    }
  }, 100);
  t.after(() => clearInterval(sampler));

  const started = performance.now();
  const { turn } = await client.request('thread/startTurn', {
    threadId: thread.id,
    prompt: `!word-delay 0\n!repeat ${WORDS}\n${WORD}`,
  });
  child.stdout!.pause();

  let deadline: NodeJS.Timeout | undefined;
  const endedInDb = await Promise.race([
    new Promise<string>((resolve) => (watchTurn = { turnId: turn.id, resolve })),
    new Promise<never>((_, reject) => {
      deadline = setTimeout(() => reject(new Error(`the turn was still running ${STREAM_DEADLINE_MS} ms after stdout was paused`)), STREAM_DEADLINE_MS);
    }),
    server.spawned.exited.then(({ code, signal }) => {
      throw new Error(`the server exited (code ${code}, signal ${signal}) while streaming:\n${server.stderr.join('\n')}`);
    }),
  ]).finally(() => clearTimeout(deadline));
  const streamedMs = performance.now() - started;
  const peakPausedMb = peakMb;
  assert.equal(endedInDb, 'completed');
  assert.ok(peakPausedMb < RSS_LIMIT_MB, `the server's RSS reached ${Math.round(peakPausedMb)} MB while stdout was paused (limit ${RSS_LIMIT_MB} MB)`);
  // The server did fall back on skipping live deltas (otherwise the gap path was not tested).
  await waitForStderr(server, /the client is not reading: skipping live notifications/, 1000);

  child.stdout!.resume();
  await server.events.turnCompleted(turn.id, 60_000);
  const caughtUpMs = performance.now() - started - streamedMs;
  const peakCatchUpMb = peakMb;

  const delivered = server.events.of(thread.id);
  const rawSeqs = raw.filter((e) => e.threadId === thread.id).map((e) => e.seq);
  const rawJumps = rawSeqs.filter((seq, i) => i > 0 && seq !== rawSeqs[i - 1]! + 1).length;
  assert.ok(rawJumps > 0, 'the wire had seq jumps (the server skipped live deltas)');
  const itemId = delivered.find((e) => e.kind === 'item.started' && e.payload.item.kind === 'agent_message')?.itemId;
  assert.ok(itemId, 'the reply item started');

  // The log, page by page: every event, seq 1..lastSeq, the whole text in its deltas — and
  // onEvent delivered exactly these events, once each, in order (from the thread's first event:
  // it was created on this connection), although the wire skipped deltas.
  const logText = new TextCheck('the log');
  const deliveredText = new TextCheck('onEvent');
  let lastSeq = 0;
  let logLastSeq: number;
  for (;;) {
    const page = await client.request('thread/events', { threadId: thread.id, afterSeq: lastSeq, limit: PAGE });
    const events = page.events as ThreadEvent[];
    logLastSeq = page.lastSeq;
    for (const e of events) {
      assert.equal(e.seq, ++lastSeq, 'the log holds seq 1..lastSeq without a gap');
      logText.add(e, itemId);
    }
    assert.deepEqual(delivered.slice(lastSeq - events.length, lastSeq), events, `onEvent delivered the log's events ${lastSeq - events.length + 1}..${lastSeq}`);
    if (events.length < PAGE) break;
  }
  assert.equal(lastSeq, logLastSeq);
  assert.equal(lastSeq, (await client.request('thread/get', { threadId: thread.id })).thread.lastSeq);
  assert.equal(delivered.length, lastSeq, 'onEvent delivered as many events as the log holds');
  logText.done();
  for (const e of delivered) deliveredText.add(e, itemId);
  deliveredText.done();
  // The item's detail is cut at --max-item-bytes (1 MiB): it stays small.
  const completed = delivered.find((e) => e.kind === 'item.completed' && e.itemId === itemId);
  assert.ok(completed?.kind === 'item.completed');
  assert.equal(completed.payload.item.metadata?.truncated, true);
  assert.ok(Buffer.byteLength(completed.payload.item.detail ?? '') <= 1024 * 1024);
  const detail = completed.payload.item.detail ?? '';
  assert.ok(detail.length > 0 && detail === expectedText(0, detail.length), 'the detail is the start of the streamed text');

  clearInterval(sampler);
  t.diagnostic(
    `${STREAMED_BYTES / MB} MB streamed in ${Math.round(streamedMs)} ms with stdout paused; onEvent caught up in ${Math.round(caughtUpMs)} ms; ` +
      `${rawSeqs.length} of ${lastSeq} events came live (${rawJumps} seq jump(s)); ` +
      `peak server RSS ${Math.round(peakPausedMb)} MB paused, ${Math.round(peakCatchUpMb)} MB catching up, ${Math.round(peakMb)} MB overall ` +
      // The server runs on this process's node (spawnThreadline's `bin`); V8's heap sizing differs by version.
      `(Node.js ${process.version})`,
  );
  assert.ok(peakMb < RSS_LIMIT_MB, `the server's RSS peaked at ${Math.round(peakMb)} MB (limit ${RSS_LIMIT_MB} MB)`);
});
