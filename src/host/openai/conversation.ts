import type OpenAI from 'openai';
import type { HistoryEntry } from '../port.js';

export type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
export type AssistantMessage = OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam;

/** What a tool_call item's metadata holds, so the call can be sent to the model again after a reload. */
export interface ToolCallMetadata {
  toolCallId: string;
  name: string;
  arguments: string;
}

/** Said to the model for a call whose result never came (its turn was interrupted or failed). */
export const NO_RESULT = 'error: this tool call did not run (its turn ended first)';

/**
 * The conversation the model sees, rebuilt from persisted items, so a restart, an eviction or an
 * edit gives it exactly the surviving history. Reasoning and error items are not sent back;
 * tool calls of other hosts (no `toolCallId` in their metadata) and their results are left out.
 */
export function messagesFromHistory(history: HistoryEntry[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let assistant: AssistantMessage | undefined;
  const known = new Set<string>();
  for (const entry of history) {
    switch (entry.kind) {
      case 'user_message':
        closeAssistant(messages, assistant);
        assistant = undefined;
        messages.push({ role: 'user', content: entry.text });
        break;
      case 'agent_message':
        if (!assistant || assistant.tool_calls) {
          closeAssistant(messages, assistant);
          assistant = { role: 'assistant', content: entry.text };
          messages.push(assistant);
        } else {
          assistant.content = `${assistant.content ?? ''}${entry.text}`;
        }
        break;
      case 'tool_call': {
        const call = toolCallOf(entry.metadata);
        if (!call) break;
        if (!assistant || (assistant.tool_calls && resultsFollow(messages, assistant))) {
          closeAssistant(messages, assistant);
          assistant = { role: 'assistant', content: null };
          messages.push(assistant);
        }
        (assistant.tool_calls ??= []).push({ id: call.toolCallId, type: 'function', function: { name: call.name, arguments: call.arguments } });
        known.add(call.toolCallId);
        break;
      }
      case 'tool_result': {
        const id = entry.metadata?.toolCallId;
        if (typeof id !== 'string' || !known.has(id)) break;
        messages.push({ role: 'tool', tool_call_id: id, content: entry.text });
        break;
      }
      case 'context_compaction':
        // A compaction's summary stands for everything before it (visible history starts there).
        closeAssistant(messages, assistant);
        assistant = undefined;
        messages.push(summaryMessage(entry.text));
        break;
      default:
        break; // reasoning and error items are not part of what the model is sent
    }
  }
  closeAssistant(messages, assistant);
  return messages;
}

/**
 * After `thread/compact` the model is sent the summary as a user message (the thread's system
 * prompt stays the one system message: many chat templates take only one, and only first).
 */
export const SUMMARY_PREFIX = 'A summary of the conversation so far (the earlier messages are no longer shown):\n\n';

export function summaryMessage(summary: string): ChatMessage {
  return { role: 'user', content: `${SUMMARY_PREFIX}${summary}` };
}

/** What the model is asked for a compaction, after the conversation so far. */
export function compactionRequest(instructions: string | undefined): ChatMessage {
  const ask =
    'Summarise the conversation above so that it can go on from your summary alone: what the user wants, ' +
    'the decisions taken, the facts and results established (file names, commands, errors, values), and what ' +
    'is still open. Write plain text, concise but complete. Do not answer or continue the conversation.';
  return { role: 'user', content: instructions ? `${ask}\n\nInstructions for this summary: ${instructions}` : ask };
}

/** Every tool call of `assistant` gets an answer: the API refuses a call without one. */
export function closeAssistant(messages: ChatMessage[], assistant: AssistantMessage | undefined): void {
  if (!assistant?.tool_calls) return;
  const at = messages.indexOf(assistant);
  const answered = new Set(messages.slice(at + 1).flatMap((m) => (m.role === 'tool' ? [m.tool_call_id] : [])));
  for (const call of assistant.tool_calls) {
    if (!answered.has(call.id)) messages.push({ role: 'tool', tool_call_id: call.id, content: NO_RESULT });
  }
}

function resultsFollow(messages: ChatMessage[], assistant: AssistantMessage): boolean {
  return messages.indexOf(assistant) < messages.length - 1;
}

function toolCallOf(metadata: Record<string, unknown> | undefined): ToolCallMetadata | undefined {
  const { toolCallId, name, arguments: args } = metadata ?? {};
  if (typeof toolCallId !== 'string' || typeof name !== 'string' || typeof args !== 'string') return undefined;
  return { toolCallId, name, arguments: args };
}

/** Drops the last user message and everything after it (`thread/editLastTurn`). */
export function truncateBeforeLastUserMessage(messages: ChatMessage[]): void {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      messages.length = i;
      return;
    }
  }
}
