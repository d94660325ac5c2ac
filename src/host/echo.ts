import { setImmediate as yieldToLoop, setTimeout as delay } from 'node:timers/promises';
import { Conversation } from './echo-conversation.js';
import { parseEchoScript, thinkEvents, type EchoScript } from './echo-directives.js';
import type { CompactionInput, CreateHost, Engine, EngineEvent, EngineHost, HistoryEntry, TurnContext, TurnInput } from './port.js';

/** Words streamed between two returns to the event loop, so a huge reply never blocks an interrupt. */
const WORDS_PER_SLICE = 512;

/** One running turn: steers waiting for an answer, and whether it can still take one. */
interface EchoRun {
  steers: { text: string; n: number }[];
  open: boolean;
  abort: AbortController;
}

/**
 * The deterministic engine: it remembers the user messages of its conversation and answers
 * `echo[N]: TEXT`, N being how many user messages it holds, so truncation and reloads show.
 * It also counts its agent messages, for the summary of a compaction (`compacted N messages`).
 */
class EchoEngine implements Engine {
  private conversation = new Conversation();
  private run: EchoRun | undefined;

  constructor(history: HistoryEntry[]) {
    for (const h of history) {
      if (h.kind === 'user_message') this.conversation.push(parseEchoScript(h.text).text);
      else if (h.kind === 'agent_message') this.conversation.pushAgent();
      // A compaction's summary stands for everything before it (visible history begins there).
      else if (h.kind === 'context_compaction') this.conversation = new Conversation();
    }
  }

  async startTurn(input: TurnInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>> {
    const script = parseEchoScript(input.prompt);
    this.conversation.push(script.text);
    if (script.failStart !== undefined) throw new Error(script.failStart);
    const abort = new AbortController();
    context.signal.addEventListener('abort', () => abort.abort(), { once: true });
    const run: EchoRun = { steers: [], open: true, abort };
    this.run = run;
    return this.stream(script, context, run, this.conversation.length);
  }

  private async *stream(
    script: EchoScript,
    context: TurnContext,
    run: EchoRun,
    n: number,
  ): AsyncIterable<EngineEvent> {
    const signal = run.abort.signal;
    try {
      if (script.sleepMs) await delay(script.sleepMs, undefined, { signal });
      if (script.hang) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        return;
      }
      yield* thinkEvents(script.think);
      if (script.tool) yield* this.toolCall(script.tool, context);
      let outputWords = yield* this.reply('reply', n, script.text, script.repeat ?? 1, script, signal);
      let steerIndex = 0;
      // Steers that arrive while replying are answered in the same turn, each with its own message.
      while (run.steers.length > 0) {
        const steer = run.steers.shift()!;
        outputWords += yield* this.reply(`steer-${++steerIndex}`, steer.n, steer.text, 1, script, signal);
      }
      run.open = false;
      const inputTokens = this.conversation.words;
      yield { type: 'usage', usage: script.usage ?? { inputTokens, outputTokens: outputWords } };
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    } finally {
      run.open = false;
      if (this.run === run) this.run = undefined;
    }
  }

  private async *toolCall(tool: NonNullable<EchoScript['tool']>, context: TurnContext): AsyncGenerator<EngineEvent> {
    yield { type: 'item.started', key: 'tool', kind: 'tool_call', text: tool.summary, metadata: { approvalKind: tool.kind } };
    const decision = await context.requestApproval({ itemKey: 'tool', kind: tool.kind, summary: tool.summary, detail: tool.summary, ...echoSubject(tool) });
    yield { type: 'item.completed', key: 'tool', text: tool.summary };
    yield { type: 'item.started', key: 'tool-result', kind: 'tool_result' };
    yield decision === 'approve'
      ? { type: 'item.completed', key: 'tool-result', text: 'approved' }
      : { type: 'item.completed', key: 'tool-result', status: 'failed', text: 'denied' };
  }

  /**
   * Streams `echo[N]: TEXT` word by word (N: user messages up to this one), TEXT `times` over;
   * returns the words sent. Words are made as they go, so a huge `!repeat` costs no memory.
   */
  private async *reply(
    key: string,
    n: number,
    text: string,
    times: number,
    script: EchoScript,
    signal: AbortSignal,
  ): AsyncGenerator<EngineEvent, number> {
    yield { type: 'item.started', key, kind: 'agent_message' };
    this.conversation.pushAgent(); // counted once Threadline took the item (the generator resumed)
    let sent = 0;
    for (const word of replyWords(n, text, times)) {
      if (sent > 0 && script.wordDelayMs) await delay(script.wordDelayMs, undefined, { signal });
      else if (sent > 0 && sent % WORDS_PER_SLICE === 0) await yieldToLoop();
      if (signal.aborted) return sent;
      yield { type: 'item.delta', key, text: sent === 0 ? word : ` ${word}` };
      sent++;
      if (sent === 1 && script.fail !== undefined) {
        yield { type: 'turn.failed', error: script.fail }; // a deliberate failure: the error as given
        return sent;
      }
    }
    yield { type: 'item.completed', key };
    return sent;
  }

  /**
   * Summarises deterministically: `compacted N messages`, N = the user + agent messages held.
   * The instructions may carry the same directives as a prompt (`!fail`, `!hang`, `!sleep`…).
   * The conversation is left as it is: after a completed compaction Threadline loads a fresh
   * engine from the summary and what follows.
   */
  async compact(input: CompactionInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>> {
    const script = parseEchoScript(input.instructions ?? '');
    if (script.failStart !== undefined) throw new Error(script.failStart);
    const abort = new AbortController();
    context.signal.addEventListener('abort', () => abort.abort(), { once: true });
    this.run = { steers: [], open: false, abort };
    return this.summarize(script, this.run);
  }

  private async *summarize(script: EchoScript, run: EchoRun): AsyncIterable<EngineEvent> {
    const signal = run.abort.signal;
    const words = ['compacted', String(this.conversation.messageCount), 'messages'];
    try {
      if (script.sleepMs) await delay(script.sleepMs, undefined, { signal });
      if (script.hang) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        return;
      }
      yield { type: 'item.started', key: 'summary', kind: 'context_compaction' };
      for (const [i, word] of words.entries()) {
        if (i > 0 && script.wordDelayMs) await delay(script.wordDelayMs, undefined, { signal });
        if (signal.aborted) return;
        yield { type: 'item.delta', key: 'summary', text: i === 0 ? word : ` ${word}` };
        if (script.fail !== undefined) {
          yield { type: 'turn.failed', error: script.fail };
          return;
        }
      }
      yield { type: 'item.completed', key: 'summary' };
      yield { type: 'usage', usage: script.usage ?? { inputTokens: this.conversation.words, outputTokens: words.length } };
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    } finally {
      if (this.run === run) this.run = undefined;
    }
  }

  steer(text: string): boolean {
    const run = this.run;
    if (!run?.open) return false;
    const message = parseEchoScript(text).text;
    this.conversation.push(message);
    run.steers.push({ text: message, n: this.conversation.length });
    return true;
  }

  interrupt(): void {
    this.run?.abort.abort();
  }

  truncateBeforeLastUserMessage(): void {
    this.conversation.pop();
  }
}

function* replyWords(n: number, text: string, times: number): Generator<string> {
  yield `echo[${n}]:`;
  const words = text.split(' ').filter(Boolean);
  for (let i = 0; i < times; i++) yield* words;
}

export const createHost: CreateHost = (): EngineHost => ({
  name: 'echo',
  supportsSteer: true,
  supportsCompaction: true,
  loadEngine: (_thread, history) => new EchoEngine(history),
});

/** What approval rules match on: `!tool shell CMD` runs CMD, `!tool edit PATH` writes PATH, `!tool tool NAME …` calls NAME. */
function echoSubject(tool: NonNullable<EchoScript['tool']>): { tool: string; command?: string; path?: string } {
  if (tool.kind === 'shell') return { tool: 'shell', command: tool.summary };
  if (tool.kind === 'edit') return { tool: 'write_file', path: tool.summary };
  return { tool: tool.summary.split(/\s+/)[0]! };
}
