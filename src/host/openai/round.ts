import type OpenAI from 'openai';
import type { EngineEvent, EngineUsage } from '../port.js';
import { describeFailure, EndpointFailure } from './failures.js';
import { costOf, priceOf, type ModelPrice } from './prices.js';

type Params = OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming;
type ChunkDelta = OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta & { reasoning_content?: unknown; reasoning?: unknown };

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
  /** The arguments (or name) ran past the cap: they were not kept, and the call is refused, never run. */
  oversized?: boolean;
}

/** A call being streamed: `bytes` counts its arguments' UTF-8 bytes so far. */
type PendingCall = ToolCall & { bytes: number };

/** A tool name or id longer than this is not a name the host offered: the call is refused. */
const MAX_NAME_CHARS = 256;
/** More tool calls than this in one reply fail the turn (each would become items and events). */
export const MAX_TOOL_CALLS_PER_ROUND = 128;

export interface RoundResult {
  content: string;
  toolCalls: ToolCall[];
  /** The turn was interrupted: whatever streamed so far is kept, nothing else happens. */
  interrupted: boolean;
  /** Prompt plus completion tokens of this call, when the endpoint reported usage. */
  contextTokens?: number;
}

export interface RoundOptions {
  client: OpenAI;
  endpoint: string;
  hasKey: boolean;
  maxRetries: number;
  idleTimeoutMs: number;
  prices: Record<string, ModelPrice>;
  /** The streamed arguments of one tool call are kept up to this many bytes (`maxToolArgumentBytes`). */
  maxToolArgumentBytes: number;
  signal: AbortSignal;
  /** Item keys are unique per turn: each round prefixes its own. */
  keyPrefix: string;
  /** The kind of the item the content streams into: an answer, or a compaction's summary. */
  textKind?: 'agent_message' | 'context_compaction';
}

/**
 * One streamed model call: content deltas become an `agent_message`, `reasoning_content` /
 * `reasoning` deltas (DeepSeek, vLLM, Ollama, OpenRouter) a `reasoning` item, tool call fragments
 * are joined by index, and the final usage chunk becomes a usage event with its cost when the
 * model's price is known. Silence longer than the idle timeout aborts the request.
 */
export async function* streamRound(params: Params, o: RoundOptions): AsyncGenerator<EngineEvent, RoundResult> {
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  let idle = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      abort.abort();
    }, o.idleTimeoutMs);
  };
  const open = { text: false, reasoning: false };
  const keys = { text: `${o.keyPrefix}text`, reasoning: `${o.keyPrefix}reasoning` };
  let content = '';
  let finished = false;
  let contextTokens: number | undefined;
  const calls = new Map<number, PendingCall>();
  arm();
  try {
    const stream = await o.client.chat.completions.create(params, { signal: abort.signal, maxRetries: o.maxRetries });
    for await (const chunk of stream) {
      arm();
      if (chunk.usage) {
        const usage = usageOf(chunk.usage, params.model, o.prices);
        contextTokens = usage.inputTokens + usage.outputTokens;
        yield { type: 'usage', usage };
      }
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = (choice.delta ?? {}) as ChunkDelta;
      const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : delta.reasoning;
      if (typeof reasoning === 'string' && reasoning.length > 0) {
        if (!open.reasoning) yield { type: 'item.started', key: keys.reasoning, kind: 'reasoning' };
        open.reasoning = true;
        yield { type: 'item.delta', key: keys.reasoning, text: reasoning };
      }
      if (typeof delta.content === 'string' && delta.content.length > 0) {
        if (!open.text) yield { type: 'item.started', key: keys.text, kind: o.textKind ?? 'agent_message' };
        open.text = true;
        content += delta.content;
        yield { type: 'item.delta', key: keys.text, text: delta.content };
      }
      for (const [position, part] of (delta.tool_calls ?? []).entries()) {
        const index = part.index ?? position;
        let call = calls.get(index);
        if (!call) {
          if (calls.size === MAX_TOOL_CALLS_PER_ROUND) throw new EndpointFailure(`the model sent more than ${MAX_TOOL_CALLS_PER_ROUND} tool calls in one reply; refused`);
          call = { id: '', name: '', arguments: '', bytes: 0 };
          calls.set(index, call);
        }
        accumulate(call, part, o.maxToolArgumentBytes);
      }
      if (choice.finish_reason) finished = true;
    }
  } catch (error) {
    if (error instanceof EndpointFailure) throw error;
    if (!idle && o.signal.aborted) return { content, toolCalls: [], interrupted: true };
    if (!idle) throw new EndpointFailure(describeFailure(error, o.endpoint, o.maxRetries, o.hasKey));
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onAbort);
    abort.abort(); // a round abandoned by its consumer must not keep its HTTP stream open
  }
  // The SDK ends the iteration quietly on abort: tell an interrupt from an idle timeout here.
  if (idle) throw new EndpointFailure(`the model endpoint ${o.endpoint} sent nothing for ${o.idleTimeoutMs / 1000} s (--openai-idle-timeout)`);
  if (o.signal.aborted) return { content, toolCalls: [], interrupted: true };
  if (!finished) throw new EndpointFailure(`the stream from ${o.endpoint} ended before the reply was complete (the connection was cut)`);
  if (open.reasoning) yield { type: 'item.completed', key: keys.reasoning };
  if (open.text) yield { type: 'item.completed', key: keys.text };
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([index, { bytes: _, ...c }]) => ({ ...c, id: c.id || `call_${o.keyPrefix}${index}` }));
  return { content, toolCalls, interrupted: false, ...(contextTokens !== undefined ? { contextTokens } : {}) };
}

/**
 * Joins one streamed fragment into its call. Past the cap nothing more is kept (a model streaming
 * hundreds of megabytes of arguments costs no memory): the call is marked oversized and its
 * arguments become `{}`, which is also what the conversation and the stored item carry.
 */
function accumulate(call: PendingCall, part: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall, maxBytes: number): void {
  if (typeof part.id === 'string' && part.id) call.id = part.id.slice(0, MAX_NAME_CHARS);
  if (call.oversized) return;
  const name = part.function?.name;
  const args = part.function?.arguments;
  if (typeof name === 'string') call.name += name;
  if (typeof args === 'string') {
    call.arguments += args;
    call.bytes += Buffer.byteLength(args);
  }
  if (call.name.length > MAX_NAME_CHARS || call.bytes > maxBytes) {
    call.oversized = true;
    call.name = call.name.slice(0, MAX_NAME_CHARS);
    call.arguments = '{}';
  }
}

function usageOf(u: OpenAI.Completions.CompletionUsage, model: string, prices: Record<string, ModelPrice>): EngineUsage {
  const usage: EngineUsage = { inputTokens: u.prompt_tokens ?? 0, outputTokens: u.completion_tokens ?? 0 };
  const cached = u.prompt_tokens_details?.cached_tokens;
  const reasoning = u.completion_tokens_details?.reasoning_tokens;
  if (typeof cached === 'number') usage.cachedInputTokens = cached;
  if (typeof reasoning === 'number') usage.reasoningTokens = reasoning;
  const price = priceOf(prices, model);
  if (price) usage.costUsd = costOf(price, usage);
  return usage;
}
