import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParamsError, ThreadArchivedError, ThreadBusyError, ThreadNotFoundError } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

test('thread/create returns the thread with its defaults and emits thread.created as seq 1', async (t) => {
  const { client, events } = await startServer(t);
  const { thread } = await client.request('thread/create', { title: 'T', model: 'm1', cwd: '/tmp', metadata: { a: 1 } });
  assert.match(thread.id, /^thr_[0-9a-f-]{36}$/);
  assert.deepStrictEqual(
    { ...thread, id: '', createdAt: '', updatedAt: '' },
    { id: '', title: 'T', status: 'idle', archived: false, model: 'm1', cwd: '/tmp', autoApprove: false, trustMode: false, metadata: { a: 1 }, createdAt: '', updatedAt: '', lastSeq: 1, queuedCount: 0 },
  );
  const created = await events.waitFor({ kind: 'thread.created', threadId: thread.id });
  assert.deepStrictEqual([created.seq, created.payload.thread], [1, thread]);
});

test('thread/create rejects a relative cwd and wrong types with -32602 naming the field', async (t) => {
  const { client } = await startServer(t);
  for (const [params, field] of [
    [{ cwd: 'relative/dir' }, 'cwd'],
    [{ title: 5 }, 'title'],
    [{ autoApprove: 'yes' }, 'autoApprove'],
    [{ metadata: [] }, 'metadata'],
  ] as const) {
    await assert.rejects(client.request('thread/create', params as never), (err) => {
      assert.ok(err instanceof InvalidParamsError, String(err));
      assert.deepStrictEqual(err.data.issues[0]?.path, [field]);
      return true;
    });
  }
  assert.deepStrictEqual((await client.request('thread/list', {})).threads, []);
});

test('thread/get of an unknown thread fails with ThreadNotFound carrying data.threadId', async (t) => {
  const { client } = await startServer(t);
  await assert.rejects(client.request('thread/get', { threadId: 'thr_missing' }), (err) => {
    assert.ok(err instanceof ThreadNotFoundError);
    assert.deepStrictEqual(err.data, { threadId: 'thr_missing', kind: 'thread_not_found' });
    return true;
  });
});

test('thread/update replaces the given fields (metadata whole), null clears, others stay; emits thread.updated', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client, { title: 'old', model: 'm', mode: 'plan', metadata: { a: 1, b: 2 } });
  const { thread: updated } = await client.request('thread/update', { threadId: thread.id, title: 'new', model: null, metadata: { c: 3 }, autoApprove: true });
  assert.deepStrictEqual(
    [updated.title, updated.model, updated.mode, updated.metadata, updated.autoApprove, updated.lastSeq],
    ['new', undefined, 'plan', { c: 3 }, true, 2],
  );
  assert.deepStrictEqual((await events.waitFor({ kind: 'thread.updated' })).payload.thread, updated);
  assert.deepStrictEqual((await client.request('thread/get', { threadId: thread.id })).thread, updated);
});

test('archived threads refuse new turns, keep reads and updates, and are listed apart', async (t) => {
  const { client } = await startServer(t);
  const a = await newThread(client, { title: 'a' });
  const b = await newThread(client, { title: 'b' });
  const { thread: archived } = await client.request('thread/archive', { threadId: a.id });
  assert.equal(archived.archived, true);
  await assert.rejects(client.request('thread/startTurn', { threadId: a.id, prompt: 'hi' }), (err) => err instanceof ThreadArchivedError && err.data.threadId === a.id);
  await assert.rejects(client.request('thread/editLastTurn', { threadId: a.id, content: 'hi' }), (err) => err instanceof ThreadArchivedError);
  await client.request('thread/update', { threadId: a.id, title: 'still editable' });
  assert.deepStrictEqual((await client.request('thread/list', {})).threads.map((x) => x.id), [b.id]);
  assert.deepStrictEqual((await client.request('thread/list', { archived: true })).threads.map((x) => x.id), [a.id]);
  await client.request('thread/unarchive', { threadId: a.id });
  await client.request('thread/startTurn', { threadId: a.id, prompt: 'hi' });
});

test('thread/delete removes the thread and all it holds; refused with ThreadBusy while a turn runs', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  await assert.rejects(client.request('thread/delete', { threadId: thread.id }), (err) => err instanceof ThreadBusyError);
  await client.request('thread/interrupt', { threadId: thread.id });
  assert.deepStrictEqual(await client.request('thread/delete', { threadId: thread.id }), { deleted: true });
  await assert.rejects(client.request('thread/get', { threadId: thread.id }), (err) => err instanceof ThreadNotFoundError);
  await assert.rejects(client.request('turn/get', { turnId: turn.id }), (err: { code?: number }) => err.code === -32003);
  await assert.rejects(client.request('thread/events', { threadId: thread.id }), (err) => err instanceof ThreadNotFoundError);
});

test('thread/list pages newest updatedAt first with a keyset cursor: no thread twice, none skipped', async (t) => {
  const { client } = await startServer(t);
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push((await newThread(client, { title: `t${i}` })).id);
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.request('thread/list', { limit: 3, cursor });
    seen.push(...page.threads.map((x) => x.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  assert.equal(pages, 3);
  assert.deepStrictEqual(seen, [...ids].reverse());
  await assert.rejects(client.request('thread/list', { cursor: 'garbage' }), (err) => err instanceof InvalidParamsError && err.data.issues[0]?.path[0] === 'cursor');
  await assert.rejects(client.request('thread/list', { limit: 201 }), (err) => err instanceof InvalidParamsError);
});
