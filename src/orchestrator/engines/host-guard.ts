import {
  type CompactionInput,
  engineEventSchema,
  engineItemKindSchema,
  type Engine,
  type EngineEvent,
  type TurnContext,
  type TurnInput,
} from '../../host/port.js';
import type { Logger } from '../../log.js';
import { capText, ERROR_BYTES, quoted } from '../decide/item-limits.js';

/** A host threw, rejected or reported something malformed; the message names the host and the problem. */
export class HostFault extends Error {}

/** The event types the port knows, read from its schema (built at the first event, not at start-up). */
let eventTypes: Set<string> | undefined;
const knownEventTypes = () => (eventTypes ??= new Set<string>(engineEventSchema().def.options.flatMap((o) => o.shape.type.def.values)));

/**
 * The boundary between Threadline and a host's engine: every call is wrapped so that a throw, a
 * rejection or a malformed event becomes a HostFault (or a logged warning where no turn runs),
 * and every event the engine streams is validated with the port's zod schema before it is used.
 */
export class GuardedEngine implements Engine {
  /** Set when a call left the engine in an unknown state: the cache loads a fresh one instead. */
  discardOnAcquire = false;
  /** The last turn this engine ran: one that is not the thread's previous turn has missed history. */
  lastTurnId: string | undefined;
  /** The thread's history revision the engine was loaded at (a revert changes it). */
  historyRev = 0;
  /** Set when the next turn must fail to start (its conversation could not be truncated). */
  private startFailure: string | undefined;
  /** Fails the running turn's stream from outside it (a throwing steer). */
  private faultRunning: ((fault: HostFault) => void) | undefined;

  constructor(
    private readonly inner: Engine,
    private readonly host: string,
    private readonly log: Logger,
  ) {}

  async startTurn(input: TurnInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>> {
    if (this.startFailure !== undefined) throw new Error(this.startFailure);
    const stream: unknown = await this.inner.startTurn(input, context);
    if (!isAsyncIterable(stream)) throw new Error('startTurn did not return an async iterable of events');
    return this.guardStream(stream);
  }

  /** A compaction turn, guarded like `startTurn`; an engine without `compact` cannot start it. */
  async compact(input: CompactionInput, context: TurnContext): Promise<AsyncIterable<EngineEvent>> {
    if (this.startFailure !== undefined) throw new Error(this.startFailure);
    if (typeof this.inner.compact !== 'function') throw new Error('the engine has no compact method (the host declares supportsCompaction)');
    const stream: unknown = await this.inner.compact(input, context);
    if (!isAsyncIterable(stream)) throw new Error('compact did not return an async iterable of events');
    return this.guardStream(stream);
  }

  private async *guardStream(stream: AsyncIterable<unknown>): AsyncGenerator<EngineEvent> {
    let fault: HostFault | undefined;
    let wake: ((fault: HostFault) => void) | undefined;
    this.faultRunning = (f) => {
      fault = f;
      wake?.(f);
    };
    let iterator: AsyncIterator<unknown> | undefined;
    try {
      const it = stream[Symbol.asyncIterator]();
      iterator = it;
      for (;;) {
        if (fault) throw fault;
        // A fresh promise per step that a fault can reject: racing every step against one
        // long-lived promise would leave a reaction on it per event — a leak per streamed word.
        const next = await new Promise<IteratorResult<unknown>>((resolve, reject) => {
          wake = reject;
          it.next().then(resolve, reject);
        });
        if (!next || typeof next !== 'object') throw new Error('the stream yielded a non-object iterator result');
        if (next.done) return;
        yield this.validate(next.value);
      }
    } catch (error) {
      if (error instanceof HostFault) throw error;
      throw new HostFault(`${this.host} host: the turn's event stream failed: ${messageOf(error)}`);
    } finally {
      this.faultRunning = undefined;
      wake = undefined;
      // Stop the host's stream, best effort: it may be stuck, so nobody waits on it.
      const it = iterator;
      Promise.resolve()
        .then(() => it?.return?.())
        .catch(() => undefined);
    }
  }

  private validate(raw: unknown): EngineEvent {
    const parsed = engineEventSchema().safeParse(raw);
    if (parsed.success) return parsed.data;
    const event = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : undefined;
    let problem: string;
    if (!event) problem = `a non-object event (${raw === null ? 'null' : typeof raw})`;
    else if (typeof event.type === 'string' && !knownEventTypes().has(event.type)) problem = `an unknown event type ${quoted(event.type)}`;
    else if (event.type === 'item.started' && typeof event.kind === 'string' && !engineItemKindSchema().safeParse(event.kind).success) {
      problem = `an unknown item kind ${quoted(event.kind)}`;
    } else {
      // A zod message may quote the value it refused, and a path may hold a host's keys: both cut.
      const issue = parsed.error.issues[0];
      const where = capText(issue?.path.join('.') || 'event', 200);
      problem = `a malformed ${typeof event.type === 'string' ? event.type : 'event'} event (${where}: ${capText(String(issue?.message), 1024)})`;
    }
    throw new HostFault(`${this.host} host reported ${problem}`);
  }

  steer(text: string): boolean {
    if (!this.inner.steer) return false;
    try {
      const taken: unknown = this.inner.steer(text);
      if (typeof taken !== 'boolean') throw new Error(`steer returned ${typeof taken}, not a boolean`);
      return taken;
    } catch (error) {
      // The prompt is queued instead; the running turn fails, and the next one gets a fresh engine.
      this.discardOnAcquire = true;
      this.faultRunning?.(new HostFault(`${this.host} host: steer failed: ${messageOf(error)}`));
      return false;
    }
  }

  interrupt(): void {
    try {
      this.inner.interrupt();
    } catch (error) {
      this.discardOnAcquire = true;
      this.log.warn(`${this.host} host: interrupt failed; the engine will be reloaded`, { error: messageOf(error) });
    }
  }

  truncateBeforeLastUserMessage(): void {
    try {
      this.inner.truncateBeforeLastUserMessage();
    } catch (error) {
      this.startFailure = `truncating the conversation failed: ${messageOf(error)}`;
    }
  }

  async dispose(): Promise<void> {
    try {
      await this.inner.dispose?.();
    } catch (error) {
      this.log.warn(`${this.host} host: dispose failed`, { error: messageOf(error) });
    }
  }
}

/** Checks that `loadEngine` gave something shaped like an engine. */
export function assertEngine(value: unknown): asserts value is Engine {
  const e = value as Partial<Record<keyof Engine, unknown>> | null;
  const required = ['startTurn', 'interrupt', 'truncateBeforeLastUserMessage'] as const;
  const missing = required.filter((m) => typeof e?.[m] !== 'function');
  if (missing.length > 0) throw new Error(`loadEngine returned an engine without ${missing.join(', ')}`);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';
}

/**
 * What was thrown, as text for an error or a log line: cut past ERROR_BYTES (a host may throw
 * anything, of any size), and never a throw of its own (a throwing getter, a BigInt, a cycle).
 */
export function messageOf(error: unknown): string {
  let text: string;
  try {
    if (error instanceof Error) text = String(error.message);
    else text = typeof error === 'string' ? error : `a thrown ${JSON.stringify(error) ?? String(error)}`;
  } catch {
    try {
      text = String(error);
    } catch {
      text = 'a thrown value that cannot be printed';
    }
  }
  return capText(text, ERROR_BYTES);
}
