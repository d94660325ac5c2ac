import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Item, ThreadEvent, Turn } from '@threadline/protocol';
import { promptText } from '../../src/acp/content.js';
import { replayUpdates } from '../../src/acp/replay.js';
import { TurnUpdates } from '../../src/acp/updates.js';

// ACP.md §3: ThreadEvent → session/update (live) and items → session/update (session/load).

const T = '2026-12-01T00:00:00.000Z';
function item(id: string, kind: Item['kind'], detail: string, extra: Partial<Item> = {}): Item {
  return { id, turnId: 'turn_1', kind, status: 'completed', summary: detail.slice(0, 200), detail, ...extra };
}
function event(kind: ThreadEvent['kind'], payload: unknown, seq = 1): ThreadEvent {
  return { seq, threadId: 'thr_1', turnId: 'turn_1', time: T, kind, payload } as ThreadEvent;
}
function turn(id: string, extra: Partial<Turn> = {}): Turn {
  return { id, threadId: 'thr_1', status: 'completed', kind: 'prompt', inputSummary: '', createdAt: T, itemIds: [], steerCount: 0, ...extra };
}

test('reasoning deltas are agent_thought_chunks and message deltas agent_message_chunks, messageId = item id', () => {
  const u = new TurnUpdates();
  u.map(event('item.started', { item: item('item_r', 'reasoning', '', { status: 'in_progress' }) }));
  u.map(event('item.started', { item: item('item_m', 'agent_message', '', { status: 'in_progress' }) }));
  assert.deepEqual(u.map(event('item.delta', { itemId: 'item_r', text: 'think' })), [
    { sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'think' }, messageId: 'item_r' },
  ]);
  assert.deepEqual(u.map(event('item.delta', { itemId: 'item_m', text: 'say' })), [
    { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'say' }, messageId: 'item_m' },
  ]);
});

test('an item completed with more text than it streamed sends the rest; one fully streamed sends nothing', () => {
  const u = new TurnUpdates();
  u.map(event('item.started', { item: item('item_m', 'agent_message', '', { status: 'in_progress' }) }));
  u.map(event('item.delta', { itemId: 'item_m', text: 'hello' }));
  assert.deepEqual(u.map(event('item.completed', { item: item('item_m', 'agent_message', 'hello world') })), [
    { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: ' world' }, messageId: 'item_m' },
  ]);
  assert.deepEqual(u.map(event('item.completed', { item: item('item_m', 'agent_message', 'hello world') })), []);
});

test('a tool_result updates the tool call it answers; a call left open fails at the end of the turn', () => {
  const u = new TurnUpdates();
  const [call] = u.map(event('item.started', { item: item('item_c', 'tool_call', 'ls', { status: 'in_progress', metadata: { approvalKind: 'shell' } }) }));
  assert.deepEqual(call, { sessionUpdate: 'tool_call', toolCallId: 'item_c', title: 'ls', kind: 'execute', status: 'pending', rawInput: { detail: 'ls' } });
  u.map(event('item.started', { item: item('item_x', 'tool_result', '', { status: 'in_progress' }) }));
  assert.deepEqual(u.map(event('item.completed', { item: item('item_x', 'tool_result', 'denied', { status: 'failed' }) })), [
    { sessionUpdate: 'tool_call_update', toolCallId: 'item_c', status: 'failed', content: [{ type: 'content', content: { type: 'text', text: 'denied' } }] },
  ]);
  u.map(event('item.started', { item: item('item_d', 'tool_call', 'edit', { status: 'in_progress' }) }));
  assert.deepEqual(u.finish(), [{ sessionUpdate: 'tool_call_update', toolCallId: 'item_d', status: 'failed' }]);
  assert.deepEqual(u.finish(), []);
});

test('replay skips superseded turns and gives each tool call its final status', () => {
  const updates = replayUpdates([
    { turn: turn('turn_old', { supersededBy: 'turn_new' }), items: [item('item_0', 'user_message', 'old prompt')] },
    {
      turn: turn('turn_new'),
      items: [
        item('item_1', 'user_message', 'new prompt'),
        item('item_2', 'reasoning', 'hmm'),
        item('item_3', 'tool_call', 'make'),
        item('item_4', 'tool_result', 'ok'),
        item('item_5', 'agent_message', 'done'),
      ],
    },
    { turn: turn('turn_cut', { status: 'interrupted' }), items: [item('item_6', 'tool_call', 'rm')] },
  ]);
  assert.deepEqual(
    updates.map((u) => [u.sessionUpdate, 'messageId' in u ? u.messageId : 'toolCallId' in u ? u.toolCallId : '', 'status' in u ? u.status : '']),
    [
      ['user_message_chunk', 'item_1', ''],
      ['agent_thought_chunk', 'item_2', ''],
      ['tool_call', 'item_3', 'completed'],
      ['tool_call_update', 'item_3', 'completed'],
      ['agent_message_chunk', 'item_5', ''],
      ['tool_call', 'item_6', 'failed'],
    ],
  );
  assert.deepEqual(updates[0]!._meta, { threadline: { turnId: 'turn_new', itemId: 'item_1' } });
});

test('a prompt joins text blocks with newlines, resource links as Markdown links, embedded text resources as text', () => {
  assert.equal(
    promptText([
      { type: 'text', text: 'a' },
      { type: 'resource_link', name: 'x.ts', uri: 'file:///x.ts' },
      { type: 'resource', resource: { uri: 'file:///y.ts', text: 'y' } },
      { type: 'resource', resource: { uri: 'file:///z.png', blob: 'AAAA' } },
    ]),
    'a\n[x.ts](file:///x.ts)\ny',
  );
});
