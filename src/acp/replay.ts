import type { SessionUpdate, ToolCallStatus } from '@agentclientprotocol/sdk';
import type { Item, Turn } from '@threadline/protocol';
import { toolKind } from './updates.js';

/**
 * The conversation as `session/update`s for `session/load`: per turn, in item order, superseded
 * turns skipped. Items, not raw deltas: each message is one chunk whose messageId is its item id
 * (as live). A tool call replays with its final status, then its result as a tool_call_update.
 * Each update carries `_meta.threadline { turnId, itemId }`.
 */
export function replayUpdates(turns: { turn: Turn; items: Item[] }[]): SessionUpdate[] {
  const out: SessionUpdate[] = [];
  for (const { turn, items } of turns) {
    if (turn.supersededBy !== undefined) continue;
    const resultOf = pairResults(items);
    for (const item of items) {
      const _meta = { threadline: { turnId: turn.id, itemId: item.id } };
      const text = item.detail ?? item.summary;
      switch (item.kind) {
        case 'user_message':
        case 'agent_message':
        case 'reasoning': {
          if (!text) break;
          const sessionUpdate = item.kind === 'user_message' ? 'user_message_chunk' : item.kind === 'agent_message' ? 'agent_message_chunk' : 'agent_thought_chunk';
          out.push({ sessionUpdate, content: { type: 'text', text }, messageId: item.id, _meta });
          break;
        }
        case 'tool_call': {
          const result = resultOf.get(item.id);
          const status: ToolCallStatus = result ? (result.status === 'failed' ? 'failed' : 'completed') : turn.status === 'in_progress' ? 'pending' : 'failed';
          out.push({ sessionUpdate: 'tool_call', toolCallId: item.id, title: item.summary || 'tool call', kind: toolKind(item.metadata?.approvalKind), status, _meta });
          break;
        }
        case 'tool_result': {
          const call = [...resultOf].find(([, r]) => r === item)?.[0];
          if (!call) break;
          out.push({
            sessionUpdate: 'tool_call_update',
            toolCallId: call,
            status: item.status === 'failed' ? 'failed' : 'completed',
            content: [{ type: 'content', content: { type: 'text', text } }],
            _meta,
          });
          break;
        }
        default:
          break;
      }
    }
  }
  return out;
}

/** tool_call item id → the tool_result that answers it: each result answers the latest open call. */
function pairResults(items: Item[]): Map<string, Item> {
  const open: string[] = [];
  const pairs = new Map<string, Item>();
  for (const item of items) {
    if (item.kind === 'tool_call') open.push(item.id);
    else if (item.kind === 'tool_result') {
      const call = open.pop();
      if (call) pairs.set(call, item);
    }
  }
  return pairs;
}
