import type { Engine, EngineEvent, EngineThread, HistoryEntry, TurnContext, TurnInput } from '../port.js';
import { EngineProcess, describeExit } from './engine-process.js';
import { parseApprovalRequest } from './approval-request.js';
import { EventQueue } from './event-queue.js';

/** The version of docs/engine-protocol.md this host speaks; sent in `load`. */
export const ENGINE_PROTOCOL_VERSION = 1;

export interface ExecConfig {
  argv: string[];
  env: NodeJS.ProcessEnv;
  loadTimeoutMs: number;
  maxLineBytes: number;
  log: (line: string) => void;
}

interface RunningTurn {
  id: string;
  queue: EventQueue<EngineEvent>;
  context: TurnContext;
}

/**
 * An engine in another language: a child process speaking NDJSON (docs/engine-protocol.md). It
 * is loaded with the thread's history, so a crashed engine is replaced by a fresh process that
 * knows the whole surviving conversation.
 */
export class ExecEngine implements Engine {
  private turn: RunningTurn | undefined;
  private readonly proc: EngineProcess;
  private ready: { resolve: () => void; reject: (error: Error) => void } | undefined;

  private constructor(config: ExecConfig) {
    this.proc = new EngineProcess({
      argv: config.argv,
      env: config.env,
      maxLineBytes: config.maxLineBytes,
      onMessage: (message) => this.receive(message),
      onProtocolError: (problem) => this.protocolError(problem),
      onStderrLine: (line) => config.log(line),
    });
    void this.proc.exited.then((exit) => {
      const problem = describeExit(exit);
      this.ready?.reject(new Error(problem));
      this.turn?.queue.fail(new Error(problem));
      this.turn = undefined;
    });
  }

  /** Spawns the engine, sends it the conversation and waits for its `ready`. */
  static async load(config: ExecConfig, thread: EngineThread, history: HistoryEntry[]): Promise<ExecEngine> {
    const engine = new ExecEngine(config);
    const ready = new Promise<void>((resolve, reject) => (engine.ready = { resolve, reject }));
    engine.proc.send({ type: 'load', protocolVersion: ENGINE_PROTOCOL_VERSION, thread, history });
    const timer = setTimeout(
      () => engine.ready?.reject(new Error(`the engine did not answer "ready" within ${config.loadTimeoutMs} ms`)),
      config.loadTimeoutMs,
    );
    try {
      await ready;
    } catch (error) {
      await engine.proc.stop();
      throw error;
    } finally {
      clearTimeout(timer);
      engine.ready = undefined;
    }
    return engine;
  }

  async startTurn(input: TurnInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>> {
    if (!this.proc.alive) throw new Error(describeExit(await this.proc.exited));
    const turn: RunningTurn = { id: input.turnId, queue: new EventQueue(), context };
    this.turn = turn;
    this.proc.send({ type: 'turn.start', turnId: input.turnId, input });
    return turn.queue;
  }

  private receive(message: unknown): void {
    const m = message as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null || typeof m.type !== 'string') return this.protocolError(`the engine wrote a message without a type: ${JSON.stringify(message)}`);
    if (m.type === 'ready') return this.ready?.resolve();
    const turn = this.turn;
    if (!turn || m.turnId !== turn.id) return; // a turn that was interrupted or already ended: dropped
    if (m.type === 'turn.end') {
      this.turn = undefined;
      return turn.queue.end();
    }
    if (m.type === 'approval.request') {
      const parsed = parseApprovalRequest(m);
      if (!parsed.ok) return this.protocolError(parsed.problem);
      const request = parsed.request;
      const answer = (decision: 'approve' | 'deny') => this.proc.send({ type: 'approval.decision', turnId: turn.id, requestId: m.requestId, decision });
      turn.queue.pushAction(() => void turn.context.requestApproval(request).then(answer, () => answer('deny')));
      return;
    }
    // Anything else is the turn's; Threadline validates it (an unknown type fails the turn).
    turn.queue.push(m as EngineEvent);
    if (m.type === 'turn.failed') {
      this.turn = undefined;
      turn.queue.end();
    }
  }

  /** The engine broke the protocol: its turn fails and the process goes (the next turn respawns it). */
  private protocolError(problem: string): void {
    this.ready?.reject(new Error(problem)); // while loading: the load fails with this, not a later exit
    this.turn?.queue.fail(new Error(problem));
    this.turn = undefined;
    void this.proc.stop();
  }

  steer(text: string): boolean {
    if (!this.turn || !this.proc.alive) return false;
    this.proc.send({ type: 'turn.steer', turnId: this.turn.id, text });
    return true;
  }

  interrupt(): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = undefined;
    this.proc.send({ type: 'turn.interrupt', turnId: turn.id });
    turn.queue.end();
  }

  truncateBeforeLastUserMessage(): void {
    this.proc.send({ type: 'truncate' });
  }

  async dispose(): Promise<void> {
    await this.proc.stop();
  }
}
