import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import type { ApprovalRequestParams, ThreadEvent } from '@threadline/protocol';
import { DEFAULT_MAX_MESSAGE_BYTES } from '@threadline/protocol/node';
import { newThread, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

const MB = 1024 * 1024;
const HUGE = 20 * MB;
/** The default --max-item-bytes, and the bound src/orchestrator/decide/item-limits.ts states for it. */
const MAX_ITEM = MB;
const MAX_EVENT = 7 * MAX_ITEM + 400 * 1024;

/**
 * A host that reports everything a model could make huge, each 20 MB: an item's metadata (at
 * start and completion), one delta, an approval's summary and detail, a turn's error — the way a
 * 20 MB `write_file` call reaches any host's items. Strings are built in the host, in the server.
 */
const HOST_SOURCE = `
const big = (ch) => ch.repeat(${HUGE});
const PROMPTS = {
  huge: async function* (context) {
    yield { type: 'item.started', key: 'a', kind: 'agent_message', metadata: { toolCallId: 'c1', blob: big('m') } };
    yield { type: 'item.delta', key: 'a', text: big('y') };
    yield { type: 'item.completed', key: 'a', text: '\\u0001'.repeat(${2 * MB}), metadata: { name: 'n', blob: big('z') } };
    yield { type: 'item.started', key: 't', kind: 'tool_call', text: 'write_file', metadata: { arguments: big('a') } };
    await context.requestApproval({ itemKey: 't', kind: 'edit', summary: big('s'), detail: big('d') });
    yield { type: 'item.completed', key: 't' };
  },
  'fail-huge': async function* () {
    yield { type: 'turn.failed', error: big('e') };
  },
  'throw-huge': async function* () {
    yield { type: 'item.started', key: 'a', kind: 'agent_message' };
    throw new Error(big('t'));
  },
  'type-huge': async function* () {
    yield { type: big('q') };
  },
  bigint: async function* () {
    yield { type: 'item.started', key: 'a', kind: 'agent_message', metadata: { n: 10n } };
  },
  'key-huge': async function* () {
    yield { type: 'item.delta', key: big('k'), text: 'x' };
  },
};
export function createHost() {
  return {
    name: 'huge',
    supportsSteer: false,
    loadEngine: () => ({
      startTurn: async (input, context) => PROMPTS[input.prompt](context),
      interrupt() {},
      truncateBeforeLastUserMessage() {},
    }),
  };
}
`;

function hostFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-huge-host-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'huge-host.mjs');
  writeFileSync(file, HOST_SOURCE);
  return file;
}

/** Peak resident memory of a process in MB, from /proc (VmHWM: the high-water mark). */
function peakRssMb(pid: number): number {
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

test('a host reporting 20 MB metadata, delta, approval and errors: every event and page stays under the bound, memory and the database stay small', sqliteOnly('measures the SQLite file\'s size'), async (t) => {
  const server = await startServer(t, { args: ['--host', hostFile(t)], initialize: { capabilities: { approvals: true } } });
  const { client, events } = server;
  const notified: ThreadEvent[] = [];
  client.onRawEvent((event) => notified.push(event));
  const asked: ApprovalRequestParams[] = [];
  client.onApprovalRequest((params) => {
    asked.push(params);
    return { decision: 'approve' };
  });
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'huge' });
  // 20 MB through the host, the store and the pipe: ~10 s on a loaded 2-core machine, past the
  // helper's default wait (one clean-clone CI run hit it; the code before 2026-12-02's framing
  // change takes as long).
  const done = (await events.turnCompleted(turn.id, 60_000)).payload.turn;
  assert.equal(done.status, 'completed', done.error);

  // Every event, live and paged, is under the bound (and so under the reader's default 8 MiB).
  assert.ok(MAX_EVENT < DEFAULT_MAX_MESSAGE_BYTES);
  const logged: ThreadEvent[] = [];
  for (let after = 0; ; ) {
    const page = await client.request('thread/events', { threadId: thread.id, afterSeq: after });
    logged.push(...(page.events as ThreadEvent[]));
    after = page.events.at(-1)?.seq ?? after;
    if (after >= page.lastSeq) break;
  }
  // Live notifications past 8 MiB of unread output are skipped (slow-client); those sent are whole.
  assert.equal(notified.at(-1)?.kind, 'turn.completed');
  const largest = Math.max(...logged.map(jsonBytes), ...notified.map(jsonBytes));
  t.diagnostic(`${logged.length} events, the largest ${largest} bytes of JSON`);
  assert.ok(largest <= MAX_EVENT, `an event is ${largest} bytes, over ${MAX_EVENT}`);

  // The 20 MB delta is all in the log, split into events; the detail is cut (and says so).
  const streamed = logged.filter((e) => e.kind === 'item.delta').map((e) => (e.payload as { text: string }).text);
  assert.ok(streamed.length >= HUGE / (64 * 1024), `${streamed.length} delta events`);
  assert.equal(streamed.join(''), 'y'.repeat(HUGE), 'the delta text is all in the log, no character split');
  const { items } = await client.request('turn/get', { turnId: turn.id });
  const [, reply, call] = items;
  assert.equal(reply!.detail, '\u0001'.repeat(MAX_ITEM));
  // Oversized metadata keeps the entries that fit and names the ones left out.
  assert.deepStrictEqual(reply!.metadata, { name: 'n', metadataTruncated: { originalBytes: jsonBytes({ name: 'n', blob: 'z'.repeat(HUGE) }), omittedKeys: ['blob'] }, truncated: true });
  assert.deepStrictEqual(call!.metadata, { metadataTruncated: { originalBytes: jsonBytes({ arguments: 'a'.repeat(HUGE) }), omittedKeys: ['arguments'] } });
  const started = logged.find((e) => e.kind === 'item.started' && e.itemId === reply!.id)!;
  assert.deepStrictEqual((started.payload as { item: { metadata: unknown } }).item.metadata, {
    toolCallId: 'c1',
    metadataTruncated: { originalBytes: jsonBytes({ toolCallId: 'c1', blob: 'm'.repeat(HUGE) }), omittedKeys: ['blob'] },
  });

  // The approval the client was asked about, and its event, are cut with a marker.
  assert.equal(asked.length, 1);
  const { summary, detail } = asked[0]!;
  assert.match(summary, /^s+… \[\d+ bytes cut\]$/);
  assert.ok(Buffer.byteLength(summary) <= 1024, `summary of ${Buffer.byteLength(summary)} bytes`);
  assert.match(detail, /^d+… \[\d+ bytes cut\]$/);
  assert.ok(Buffer.byteLength(detail) <= MAX_ITEM, `detail of ${Buffer.byteLength(detail)} bytes`);
  const requested = logged.find((e) => e.kind === 'approval.requested')!;
  assert.deepStrictEqual((requested.payload as { request: unknown }).request, { kind: 'edit', summary, detail });
  const resolved = logged.find((e) => e.kind === 'approval.resolved')!;
  assert.deepStrictEqual(resolved.payload, { approvalId: asked[0]!.approvalId, decision: 'approve', reason: 'client' });

  // The database holds the delta text once, not a copy per event (20 MB of it, plus small items).
  const db = new Database(server.dbPath, { readonly: true });
  t.after(() => db.close());
  const stored = db
    .prepare<[], { bytes: number }>(
      `SELECT (SELECT coalesce(sum(length(CAST(payload AS BLOB))), 0) FROM events)
            + (SELECT coalesce(sum(length(CAST(coalesce(detail, '') || coalesce(metadata, '') AS BLOB))), 0) FROM items) AS bytes`,
    )
    .get()!.bytes;
  t.diagnostic(`stored ${(stored / MB).toFixed(1)} MB`);
  assert.ok(stored < HUGE + 16 * MB, `the database holds ${(stored / MB).toFixed(1)} MB`);

  const peak = peakRssMb(server.spawned.process.pid!);
  t.diagnostic(`server peak RSS ${Math.round(peak)} MB`);
  assert.ok(peak < 400, `the server's peak RSS is ${Math.round(peak)} MB`);
});

test("a host's 20 MB error text, thrown message, event type or item key is cut in the turn's error; metadata that is not JSON fails the turn naming the host", async (t) => {
  const server = await startServer(t, { args: ['--host', hostFile(t)] });
  const thread = await newThread(server.client);
  for (const [prompt, pattern] of [
    ['fail-huge', /^e+… \[\d+ bytes cut\]$/],
    ['throw-huge', / host: the turn's event stream failed: t+… \[\d+ bytes cut\]$/],
    ['type-huge', / host reported an unknown event type "q{100}…"$/],
    ['key-huge', / host: delta for unknown item "k{100}…"$/],
    ['bigint', / host: metadata "n" is not JSON: Do not know how to serialize a BigInt$/],
  ] as const) {
    const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt });
    const done = (await server.events.turnCompleted(turn.id)).payload.turn;
    assert.equal(done.status, 'failed', prompt);
    assert.match(done.error!, pattern, `${prompt}: ${done.error!.slice(0, 200)}`);
    assert.ok(Buffer.byteLength(done.error!) <= 16 * 1024, `${prompt}: an error of ${Buffer.byteLength(done.error!)} bytes`);
  }
  const { events } = await server.client.request('thread/events', { threadId: thread.id });
  const largest = Math.max(...events.map(jsonBytes));
  assert.ok(largest < 64 * 1024, `an event is ${largest} bytes`);
});
