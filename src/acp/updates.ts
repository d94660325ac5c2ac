import type { SessionUpdate, ToolKind } from '@agentclientprotocol/sdk';
import type { Item, ThreadEvent } from '@threadline/protocol';

const TOOL_KINDS: Record<string, ToolKind> = { shell: 'execute', edit: 'edit', tool: 'other' };

/** The ACP tool kind of a tool_call item (its approval kind, when the host gave one). */
export function toolKind(approvalKind: unknown): ToolKind {
  return (typeof approvalKind === 'string' && TOOL_KINDS[approvalKind]) || 'other';
}

/**
 * One turn's ThreadEvents → ACP `session/update`s, live. Stateful: it remembers each item's kind
 * and how much of its text was streamed (an item completed without deltas still reaches the
 * editor), and links a tool_result to the tool_call it answers (the latest one still open).
 */
export class TurnUpdates {
  private readonly kinds = new Map<string, Item['kind']>();
  private readonly streamed = new Map<string, number>();
  private readonly openToolCalls: string[] = [];

  map(event: ThreadEvent): SessionUpdate[] {
    switch (event.kind) {
      case 'item.started': {
        const { item } = event.payload;
        this.kinds.set(item.id, item.kind);
        if (item.kind !== 'tool_call') return [];
        this.openToolCalls.push(item.id);
        return [
          {
            sessionUpdate: 'tool_call',
            toolCallId: item.id,
            title: item.summary || 'tool call',
            kind: toolKind(item.metadata?.approvalKind),
            status: 'pending',
            rawInput: item.detail !== undefined ? { detail: item.detail } : undefined,
          },
        ];
      }
      case 'item.delta':
        return this.chunk(event.payload.itemId, event.payload.text);
      case 'item.completed': {
        const { item } = event.payload;
        if (item.kind === 'agent_message' || item.kind === 'reasoning') {
          const sent = this.streamed.get(item.id) ?? 0;
          const rest = (item.detail ?? '').slice(sent);
          return rest ? this.chunk(item.id, rest, item.kind) : [];
        }
        if (item.kind === 'tool_result') {
          const callId = this.openToolCalls.pop();
          if (!callId) return [];
          return [
            {
              sessionUpdate: 'tool_call_update',
              toolCallId: callId,
              status: item.status === 'failed' ? 'failed' : 'completed',
              content: [{ type: 'content', content: { type: 'text', text: item.detail ?? item.summary } }],
            },
          ];
        }
        return [];
      }
      case 'context.usage': {
        // ACP's usage_update needs both numbers: a window nobody knows is not sent (never a guess).
        const { used, size } = event.payload;
        return size === null ? [] : [{ sessionUpdate: 'usage_update', used, size }];
      }
      default:
        return [];
    }
  }

  /** At the turn's end: tool calls that never got a result are failed (interrupted, or a host gap). */
  finish(): SessionUpdate[] {
    return this.openToolCalls.splice(0).map((toolCallId) => ({ sessionUpdate: 'tool_call_update', toolCallId, status: 'failed' }));
  }

  private chunk(itemId: string, text: string, known?: Item['kind']): SessionUpdate[] {
    const kind = known ?? this.kinds.get(itemId);
    if (kind !== 'agent_message' && kind !== 'reasoning') return [];
    this.streamed.set(itemId, (this.streamed.get(itemId) ?? 0) + text.length);
    const sessionUpdate = kind === 'agent_message' ? 'agent_message_chunk' : 'agent_thought_chunk';
    return [{ sessionUpdate, content: { type: 'text', text }, messageId: itemId }];
  }
}
