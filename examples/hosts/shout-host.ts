/**
 * A complete Threadline host in a few dozen lines: it answers every prompt in capitals, numbered
 * by how many user messages its conversation holds. Build it to a module and load it by path:
 *
 *   npx esbuild examples/hosts/shout-host.ts --bundle --format=esm --platform=node --outfile=shout-host.mjs
 *   threadline serve --host ./shout-host.mjs --host-option prefix=HEY
 */
import type { CreateHost, Engine, EngineEvent, HistoryEntry, TurnInput } from '@threadline/protocol/host';

class ShoutEngine implements Engine {
  private readonly messages: string[];
  private stopped = false;

  constructor(history: HistoryEntry[], private readonly prefix: string) {
    this.messages = history.filter((h) => h.kind === 'user_message').map((h) => h.text);
  }

  async startTurn(input: TurnInput): Promise<AsyncIterable<EngineEvent>> {
    this.messages.push(input.prompt);
    this.stopped = false;
    const reply = `${this.prefix}[${this.messages.length}] ${input.prompt.toUpperCase()}`;
    const self = this;
    return (async function* (): AsyncGenerator<EngineEvent> {
      yield { type: 'item.started', key: 'reply', kind: 'agent_message' };
      for (const word of reply.split(/(?= )/)) {
        if (self.stopped) return;
        yield { type: 'item.delta', key: 'reply', text: word };
      }
      yield { type: 'item.completed', key: 'reply' };
      yield { type: 'usage', usage: { inputTokens: input.prompt.length, outputTokens: reply.length } };
    })();
  }

  interrupt(): void {
    this.stopped = true;
  }

  truncateBeforeLastUserMessage(): void {
    this.messages.pop();
  }
}

export const createHost: CreateHost = (options) => ({
  name: 'shout',
  apiVersion: 1,
  supportsSteer: false,
  loadEngine: (_thread, history) => new ShoutEngine(history, options.prefix ?? 'SHOUT'),
});
