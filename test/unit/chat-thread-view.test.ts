import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ThreadEvent } from '@threadline/protocol';
import { ThreadView } from '../../clients/chat/src/thread-view.js';
import { makeStyle } from '../../clients/chat/src/view/style.js';

const T = 'thr_1';
let seq = 0;
const time = '2026-01-01T00:00:00.000Z';
const ev = (kind: string, payload: object, extra: object = {}) => ({ seq: ++seq, threadId: T, kind, payload, time, ...extra }) as unknown as ThreadEvent;
const item = (id: string, kind: string, fields: object = {}) => ({ id, kind, turnId: 'turn_1', status: 'in_progress', summary: '', ...fields });
const turn = (id: string, status = 'in_progress', fields: object = {}) => ({ id, threadId: T, status, inputSummary: '', createdAt: time, itemIds: [], steerCount: 0, ...fields });
const admission = (id: string, prompt: string, state = 'pending') => ({ id, threadId: T, admittedSeq: 1, prompt, delivery: 'queue', state, createdAt: time });

function view() {
  const printed: string[] = [];
  const v = new ThreadView(T, makeStyle(false), (lines) => printed.push(...lines));
  return { v, printed };
}

test('a streamed reply prints each finished line once; the unfinished one stays live until the item completes', () => {
  const { v, printed } = view();
  v.apply(ev('turn.started', { turn: turn('turn_1') }));
  v.apply(ev('item.completed', { item: item('i0', 'user_message', { status: 'completed', detail: 'hi' }) }));
  v.apply(ev('item.started', { item: item('i1', 'agent_message') }));
  v.apply(ev('item.delta', { itemId: 'i1', text: '# Title\nsome **bo' }));
  assert.deepEqual(printed, ['', '› hi', 'Title']);
  assert.deepEqual(v.liveLines(), ['some **bo'], 'the partial line, as far as it goes');
  v.apply(ev('item.delta', { itemId: 'i1', text: 'ld** text' }));
  v.apply(ev('item.completed', { item: item('i1', 'agent_message', { status: 'completed', detail: '# Title\nsome **bold** text' }) }));
  assert.deepEqual(printed.slice(3), ['some bold text']);
  assert.deepEqual(v.liveLines(), []);
  assert.equal(v.runningTurnId, 'turn_1');
  v.apply(ev('turn.completed', { turn: turn('turn_1', 'completed') }));
  assert.equal(v.runningTurnId, undefined);
  assert.equal(v.lastPrompt, 'hi');
});

test('text the client never saw as deltas (sent while it reconnected) is printed from the completed detail', () => {
  const { v, printed } = view();
  v.apply(ev('item.started', { item: item('i1', 'agent_message') }));
  v.apply(ev('item.delta', { itemId: 'i1', text: 'one two' }));
  v.apply(ev('item.completed', { item: item('i1', 'agent_message', { status: 'completed', detail: 'one two three\nfour', metadata: { interrupted: true } }) }));
  assert.deepEqual(printed, ['one two three', 'four']);
});

test('the queue follows prompt.admitted, promoted and cancelled; tools show live, then one line with their status', () => {
  const { v, printed } = view();
  v.apply(ev('prompt.admitted', { admission: admission('a1', 'first') }));
  v.apply(ev('prompt.admitted', { admission: admission('a2', 'second') }));
  assert.deepEqual(v.queue.map((a) => a.prompt), ['first', 'second']);
  v.apply(ev('prompt.promoted', { admission: admission('a1', 'first', 'promoted'), turnId: 'turn_2' }));
  v.apply(ev('prompt.cancelled', { admission: admission('a2', 'second', 'cancelled') }));
  assert.deepEqual(v.queue, []);
  assert.match(printed.join('\n'), /cancelled queued prompt: second/);

  v.apply(ev('item.started', { item: item('t1', 'tool_call', { summary: 'ls -la' }) }));
  assert.deepEqual(v.liveLines(), ['⋯ ls -la (running)']);
  v.apply(ev('item.completed', { item: item('t1', 'tool_call', { summary: 'ls -la', status: 'failed' }) }));
  assert.deepEqual(v.liveLines(), []);
  assert.equal(printed.at(-1), '✗ ls -la (failed)');
});

test('an interrupted or failed turn says so with its error; reasoning is printed (dimmed on a terminal)', () => {
  const { v, printed } = view();
  v.apply(ev('item.started', { item: item('r1', 'reasoning') }));
  v.apply(ev('item.delta', { itemId: 'r1', text: 'thinking…\n' }));
  v.apply(ev('turn.completed', { turn: turn('turn_1', 'interrupted', { error: 'server restarted' }) }));
  v.apply(ev('turn.completed', { turn: turn('turn_2', 'failed', { error: 'boom' }) }));
  assert.deepEqual(printed, ['thinking…', '■ interrupted: server restarted', '✗ failed: boom']);

  const dim: string[] = [];
  const styled = new ThreadView(T, makeStyle(true), (lines) => dim.push(...lines));
  styled.apply(ev('item.started', { item: item('r2', 'reasoning') }));
  styled.apply(ev('item.delta', { itemId: 'r2', text: 'hmm\n' }));
  assert.equal(dim[0], '\x1b[2m\x1b[3mhmm\x1b[23m\x1b[22m');
});

test('queue edits: prompt.updated replaces a queued prompt in place, queue.reordered sorts the queue, setQueue replaces it', () => {
  const { v } = view();
  for (const [id, prompt] of [['a1', 'one'], ['a2', 'two'], ['a3', 'three']]) v.apply(ev('prompt.admitted', { admission: admission(id!, prompt!) }));
  v.apply(ev('prompt.updated', { admission: admission('a2', 'two, edited') }));
  v.apply(ev('queue.reordered', { admissionIds: ['a3', 'a1', 'a2'] }));
  assert.deepEqual(v.queue.map((a) => a.prompt), ['three', 'one', 'two, edited']);
  v.setQueue([admission('a1', 'one') as never]);
  assert.deepEqual(v.queue.map((a) => a.id), ['a1']);
});

test('thread.reverted and thread.unreverted print the prompts of the turns they hid or restored', () => {
  const { v, printed } = view();
  for (const [turnId, prompt] of [['turn_1', 'first'], ['turn_2', 'second']]) {
    v.apply(ev('turn.started', { turn: turn(turnId!) }));
    v.apply(ev('item.completed', { item: { ...item(`u_${turnId}`, 'user_message', { status: 'completed', detail: prompt }), turnId } }));
    v.apply(ev('turn.completed', { turn: turn(turnId!, 'completed') }));
  }
  printed.length = 0;
  v.apply(ev('thread.reverted', { revertedTurnIds: ['turn_1', 'turn_2'] }));
  v.apply(ev('thread.unreverted', { restoredTurnIds: ['turn_2'] }));
  assert.deepEqual(printed, ['↶ reverted 2 turns: the agent no longer sees', '  › first', '  › second', '↷ restored 1 turn:', '  › second']);
});
