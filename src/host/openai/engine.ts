import type OpenAI from 'openai';
import type { CompactionInput, Engine, EngineEvent, EngineThread, HistoryEntry, HostTool, HostTools, TurnContext, TurnInput } from '../port.js';
import { closeAssistant, compactionRequest, messagesFromHistory, truncateBeforeLastUserMessage, type AssistantMessage, type ChatMessage, type ToolCallMetadata } from './conversation.js';
import { contextWindowOf } from './context-windows.js';
import { EndpointFailure } from './failures.js';
import type { OpenAIHostConfig } from './host.js';
import { streamRound, type ToolCall } from './round.js';
import { describeCall, TOOL_NAMES, type ToolOutcome } from '../../tools/builtin/index.js';
import type { ToolSource } from '../../tools/port.js';
import { shown } from '../../tools/builtin/summary.js';

/** The tool sources an engine offers: the built-in tools, and the server's (MCP) when configured. */
export interface EngineTools {
  builtin: ToolSource;
  shared?: HostTools;
}

/** A tool offered in one turn and the source that runs it. */
type Offered = Map<string, { tool: HostTool; source: ToolSource | HostTools }>;

/** One running turn: steered messages waiting for the next model round, and whether it takes more. */
interface Run {
  steers: string[];
  open: boolean;
  abort: AbortController;
}

/**
 * A conversation with an OpenAI-compatible model. The messages it sends are exactly the ones it
 * would rebuild from persisted items, so a reload (restart, eviction, fault) changes nothing.
 */
export class OpenAIEngine implements Engine {
  private readonly messages: ChatMessage[];
  private run: Run | undefined;

  constructor(
    private readonly config: OpenAIHostConfig,
    private readonly client: OpenAI,
    private readonly thread: EngineThread,
    history: HistoryEntry[],
    private readonly tools: EngineTools,
  ) {
    this.messages = messagesFromHistory(history);
  }

  async startTurn(input: TurnInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>> {
    const model = input.model ?? this.config.model;
    if (!model) throw new Error("no model: start serve with --model NAME, or set the thread's or the turn's model");
    this.messages.push({ role: 'user', content: input.prompt });
    const run: Run = { steers: [], open: true, abort: new AbortController() };
    context.signal.addEventListener('abort', () => run.abort.abort(), { once: true });
    this.run = run;
    return this.turn(input, model, context, run);
  }

  private async *turn(input: TurnInput, model: string, context: TurnContext, run: Run): AsyncGenerator<EngineEvent> {
    const cwd = this.thread.cwd;
    const offered = this.offer(cwd, input.allowShell !== false, context.tools);
    const tools = [...offered.values()].map(({ tool }) => ({
      type: 'function' as const,
      function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
    }));
    const system = input.systemPrompt ?? this.thread.systemPrompt;
    let toolRounds = 0;
    try {
      for (let round = 1; ; round++) {
        for (const text of run.steers.splice(0)) this.messages.push({ role: 'user', content: text });
        const result = yield* streamRound(
          {
            model,
            messages: system ? [{ role: 'system', content: system }, ...this.messages] : [...this.messages],
            stream: true,
            stream_options: { include_usage: true },
            ...(tools.length > 0 ? { tools } : {}),
            ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
            ...(input.topP !== undefined ? { top_p: input.topP } : {}),
            ...(input.maxTokens !== undefined ? this.maxTokensParam(input.maxTokens) : {}),
          },
          { ...this.config, client: this.client, signal: run.abort.signal, keyPrefix: `r${round}-` },
        );
        // After each model call: how full the context is (size null for a model nobody named).
        if (result.contextTokens !== undefined) yield { type: 'context', used: result.contextTokens, size: contextWindowOf(model, this.config.contextWindow) };
        const assistant: AssistantMessage = { role: 'assistant', content: result.content || null };
        if (result.toolCalls.length > 0) {
          assistant.tool_calls = result.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
        }
        if (result.content || assistant.tool_calls) this.messages.push(assistant);
        if (result.interrupted) return closeAssistant(this.messages, assistant);
        if (result.toolCalls.length === 0) {
          if (run.steers.length > 0) continue; // a steer arrived while the model answered: one more round
          run.open = false;
          return;
        }
        if (toolRounds === this.config.maxToolRounds) {
          closeAssistant(this.messages, assistant);
          yield { type: 'turn.failed', error: `the model was still calling tools after ${toolRounds} tool rounds (--max-tool-rounds)` };
          return;
        }
        toolRounds++;
        for (const [i, call] of result.toolCalls.entries()) {
          const outcome = yield* this.callTool(call, `r${round}-call${i}`, offered, input.allowShell === false, context, run);
          this.messages.push({ role: 'tool', tool_call_id: call.id, content: outcome.text });
          if (run.abort.signal.aborted) return closeAssistant(this.messages, assistant);
        }
      }
    } catch (error) {
      if (!(error instanceof EndpointFailure)) throw error;
      yield { type: 'turn.failed', error: error.message };
    } finally {
      run.open = false;
      if (this.run === run) this.run = undefined;
    }
  }

  /**
   * `thread/compact`: the model is sent the conversation, then asked for a summary (no tools);
   * its reply streams as the `context_compaction` item. The conversation is not changed here:
   * after a completed compaction Threadline loads a fresh engine whose history starts with the
   * summary (conversation.ts sends it as a user message).
   */
  async compact(input: CompactionInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>> {
    const model = input.model ?? this.config.model;
    if (!model) throw new Error("no model: start serve with --model NAME, or set the thread's model");
    const run: Run = { steers: [], open: false, abort: new AbortController() };
    context.signal.addEventListener('abort', () => run.abort.abort(), { once: true });
    this.run = run;
    return this.summarize(input, model, run);
  }

  private async *summarize(input: CompactionInput, model: string, run: Run): AsyncGenerator<EngineEvent> {
    const system = input.systemPrompt ?? this.thread.systemPrompt;
    const messages: ChatMessage[] = [...(system ? [{ role: 'system' as const, content: system }] : []), ...this.messages, compactionRequest(input.instructions)];
    try {
      const result = yield* streamRound(
        { model, messages, stream: true, stream_options: { include_usage: true } },
        { ...this.config, client: this.client, signal: run.abort.signal, keyPrefix: 'summary-', textKind: 'context_compaction' },
      );
      if (!result.interrupted && !result.content.trim()) yield { type: 'turn.failed', error: 'the model answered the compaction with an empty summary' };
    } catch (error) {
      if (!(error instanceof EndpointFailure)) throw error;
      yield { type: 'turn.failed', error: error.message };
    } finally {
      if (this.run === run) this.run = undefined;
    }
  }

  /**
   * The tools of this turn, read when it starts: the built-in ones (none without a cwd), then
   * those of MCP servers that are ready now, the server's then the thread's own (a server still
   * starting joins a later turn).
   */
  private offer(cwd: string | undefined, allowShell: boolean, own: HostTools | undefined): Offered {
    const offered: Offered = new Map();
    for (const tool of this.tools.builtin.list({ cwd, allowShell })) offered.set(tool.name, { tool, source: this.tools.builtin });
    for (const tool of this.tools.shared?.list() ?? []) if (!offered.has(tool.name)) offered.set(tool.name, { tool, source: this.tools.shared! });
    // The thread's own servers (thread/create { mcpServers }); a name already taken keeps its first owner.
    for (const tool of own?.list() ?? []) if (!offered.has(tool.name)) offered.set(tool.name, { tool, source: own! });
    return offered;
  }

  /**
   * A tool_call item, the approval when the tool needs one, then a tool_result item. A call the
   * turn did not offer, or whose arguments ran past the cap, is answered with an error the model
   * sees before any approval is asked: it never runs.
   */
  private async *callTool(call: ToolCall, key: string, offered: Offered, noShell: boolean, context: TurnContext, run: Run): AsyncGenerator<EngineEvent, ToolOutcome> {
    const metadata: ToolCallMetadata & Record<string, unknown> = { toolCallId: call.id, name: call.name, arguments: call.arguments };
    if (call.oversized) metadata.argumentsOverLimit = this.config.maxToolArgumentBytes;
    const args = call.oversized ? {} : parseArguments(call.arguments);
    const entry = offered.get(call.name);
    const { summary, detail } = call.oversized
      ? { summary: `${shown(call.name)} (arguments over ${this.config.maxToolArgumentBytes} bytes)`, detail: '' }
      : entry && args
        ? entry.source.describe(call.name, args)
        : describeCall(call.name, args);
    yield { type: 'item.started', key, kind: 'tool_call', text: summary, metadata };
    let outcome: ToolOutcome;
    const approvalKind = entry?.tool.approval;
    const refusal = this.refusal(call, offered, noShell, args);
    if (refusal) {
      outcome = { ok: false, text: `error: ${refusal}` };
    } else if (approvalKind && (await context.requestApproval({ itemKey: key, kind: approvalKind, summary, detail, ...approvalSubject(call.name, args) })) === 'deny') {
      outcome = { ok: false, text: 'error: the user denied this tool call' };
    } else {
      outcome = { ok: true, text: '' };
    }
    yield { type: 'item.completed', key, text: summary, metadata };
    if (outcome.ok) outcome = await entry!.source.call(call.name, args!, { signal: run.abort.signal, ...(this.thread.cwd ? { cwd: this.thread.cwd } : {}) });
    const resultKey = `${key}-result`;
    yield { type: 'item.started', key: resultKey, kind: 'tool_result', metadata: { toolCallId: call.id } };
    yield { type: 'item.completed', key: resultKey, status: outcome.ok ? 'completed' : 'failed', text: outcome.text, metadata: { toolCallId: call.id } };
    return outcome;
  }

  /** Why `call` must not run (checked before any approval), or undefined. */
  private refusal(call: ToolCall, offered: Offered, noShell: boolean, args: Record<string, unknown> | undefined): string | undefined {
    const name = shown(call.name);
    if (call.oversized) return `the arguments of ${name} are over ${this.config.maxToolArgumentBytes} bytes (maxToolArgumentBytes); the call was not run`;
    if (offered.size === 0) return `no tools are available: this thread has no working directory (cwd); ${name} was not run`;
    if (!offered.has(call.name)) {
      if (call.name === 'shell' && noShell) return 'shell is not allowed in this turn (allowShell: false); the command was not run';
      if (!this.thread.cwd && (TOOL_NAMES as readonly string[]).includes(call.name)) return `${name} needs a working directory (cwd), which this thread does not have; it was not run`;
      return `there is no tool "${name}" in this turn (the tools are ${[...offered.keys()].join(', ')}); it was not run`;
    }
    if (!args) return `the arguments of ${name} are not a JSON object: ${shown(call.arguments.slice(0, 200))}`;
    return undefined;
  }

  /** OpenAI's own API wants max_completion_tokens (newer models refuse max_tokens); compatible servers know max_tokens. */
  private maxTokensParam(maxTokens: number) {
    return new URL(this.config.endpoint).hostname === 'api.openai.com' ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens };
  }

  steer(text: string): boolean {
    if (!this.run?.open) return false;
    this.run.steers.push(text);
    return true;
  }

  interrupt(): void {
    this.run?.abort.abort();
  }

  truncateBeforeLastUserMessage(): void {
    truncateBeforeLastUserMessage(this.messages);
  }

  dispose(): void {
    this.run?.abort.abort();
  }
}

function parseArguments(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // not JSON: refused below
  }
  return undefined;
}

/** What approval rules match on: the tool, and the command it runs or the file it writes (as the tool gets them). */
function approvalSubject(name: string, args: Record<string, unknown> | undefined): { tool: string; command?: string; path?: string } {
  if (name === 'shell' && typeof args?.command === 'string') return { tool: name, command: args.command };
  if (name === 'write_file' && typeof args?.path === 'string') return { tool: name, path: args.path };
  return { tool: name };
}
