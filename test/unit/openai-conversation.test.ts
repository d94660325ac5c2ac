import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistoryEntry } from '../../src/host/port.js';
import { messagesFromHistory, NO_RESULT, truncateBeforeLastUserMessage } from '../../src/host/openai/conversation.js';
import { costOf, priceOf, BUILTIN_PRICES } from '../../src/host/openai/prices.js';

const h = (kind: HistoryEntry['kind'], text: string, metadata?: Record<string, unknown>): HistoryEntry => ({ kind, status: 'completed', text, metadata });
const call = (id: string, name = 'read_file', args = '{"path":"a"}') => h('tool_call', `${name} a`, { toolCallId: id, name, arguments: args });

test('messagesFromHistory rebuilds user, assistant (text and tool calls in one message) and tool messages, leaving reasoning out', () => {
  assert.deepStrictEqual(
    messagesFromHistory([h('user_message', 'hi'), h('reasoning', 'hmm'), h('agent_message', 'Let me look.'), call('c1'), call('c2'), h('tool_result', 'A', { toolCallId: 'c1' }), h('tool_result', 'B', { toolCallId: 'c2' }), h('agent_message', 'Done.')]),
    [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: 'Let me look.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
          { id: 'c2', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'A' },
      { role: 'tool', tool_call_id: 'c2', content: 'B' },
      { role: 'assistant', content: 'Done.' },
    ],
  );
});

test('a tool call without a result (its turn was interrupted) gets one, so the API accepts the conversation; other hosts\' tool items are left out', () => {
  assert.deepStrictEqual(messagesFromHistory([h('user_message', 'go'), call('c1'), h('user_message', 'next'), h('tool_call', 'make', { approvalKind: 'shell' }), h('tool_result', 'approved')]), [
    { role: 'user', content: 'go' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: NO_RESULT },
    { role: 'user', content: 'next' },
  ]);
});

test('truncateBeforeLastUserMessage drops the last user message and everything after it', () => {
  const messages = messagesFromHistory([h('user_message', 'one'), h('agent_message', '1'), h('user_message', 'two'), h('agent_message', '2')]);
  truncateBeforeLastUserMessage(messages);
  assert.deepStrictEqual(messages, [{ role: 'user', content: 'one' }, { role: 'assistant', content: '1' }]);
});

test('prices: a dated snapshot uses its model\'s price, an unknown model has none, cached input is billed at the cached rate', () => {
  assert.equal(priceOf(BUILTIN_PRICES, 'gpt-4o-2024-08-06'), BUILTIN_PRICES['gpt-4o']);
  assert.equal(priceOf(BUILTIN_PRICES, 'llama3.1'), undefined);
  assert.equal(costOf({ input: 2, cachedInput: 1, output: 8 }, { inputTokens: 1_000_000, cachedInputTokens: 500_000, outputTokens: 1_000_000 }), 9.5);
  assert.equal(costOf({ input: 2, output: 8 }, { inputTokens: 1_000_000, cachedInputTokens: 500_000, outputTokens: 0 }), 2);
});
