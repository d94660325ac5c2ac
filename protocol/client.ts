import type { CancellationToken, Disposable, MessageConnection } from 'vscode-jsonrpc';
import { ThreadlineError } from './errors.js';
import { EventSequencer } from './event-sequencer.js';
import { THREAD_EVENT_NOTIFICATION, type ThreadEvent } from './events.js';
import {
  EXIT_NOTIFICATION,
  type MethodName,
  type ParamsOf,
  type ResultOf,
} from './methods.js';
import type { ApprovalRequestParams, ApprovalRequestResult } from './server-requests.js';
import { PROTOCOL_VERSION } from './version.js';

/** Params may be left out when every field of the method's params is optional. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type ParamsArg<M extends MethodName> = {} extends ParamsOf<M>
  ? [params?: ParamsOf<M>, token?: CancellationToken]
  : [params: ParamsOf<M>, token?: CancellationToken];

export type ApprovalHandler = (
  params: ApprovalRequestParams,
  token: CancellationToken,
) => ApprovalRequestResult | Promise<ApprovalRequestResult>;

/**
 * A typed Threadline client over any vscode-jsonrpc connection (stdio, socket, in-memory pair).
 * Pass a connection that is not listening yet: the client registers its handlers, then listens.
 * Error responses are rebuilt as typed errors, so `err instanceof ThreadBusyError` works.
 */
export class ThreadlineClient {
  private readonly eventListeners = new Set<(event: ThreadEvent) => void>();
  private readonly rawEventListeners = new Set<(event: ThreadEvent) => void>();
  private readonly sequencer: EventSequencer;
  private approvalHandler: ApprovalHandler | undefined;

  constructor(readonly connection: MessageConnection) {
    this.sequencer = new EventSequencer(
      // The result's zod type does not narrow `payload` by `kind`; its events are ThreadEvents.
      (threadId, afterSeq, limit) =>
        this.request('thread/events', { threadId, afterSeq, limit }) as Promise<{ events: ThreadEvent[] }>,
      (event) => notify(this.eventListeners, event),
      GAP_PAGE_LIMIT,
    );
    connection.onNotification(THREAD_EVENT_NOTIFICATION, (event: ThreadEvent) => {
      notify(this.rawEventListeners, event);
      this.sequencer.push(event);
    });
    connection.onRequest('approval/request', (params: ApprovalRequestParams, token: CancellationToken) => {
      if (!this.approvalHandler) return { decision: 'deny' } satisfies ApprovalRequestResult;
      return this.approvalHandler(params, token);
    });
    connection.listen();
  }

  /** Sends `method` with `params`; resolves with the typed result or rejects with a ThreadlineError. */
  async request<M extends MethodName>(method: M, ...[params, token]: ParamsArg<M>): Promise<ResultOf<M>> {
    try {
      // A trailing `undefined` would be sent as a second positional param: pass the token only if given.
      const result = token
        ? await this.connection.sendRequest(method, params ?? {}, token)
        : await this.connection.sendRequest(method, params ?? {});
      return result as ResultOf<M>;
    } catch (error) {
      throw toThreadlineError(error);
    }
  }

  /** `initialize` with this package's protocol version filled in. */
  initialize(params: Partial<ParamsOf<'initialize'>> = {}): Promise<ResultOf<'initialize'>> {
    return this.request('initialize', { protocolVersion: PROTOCOL_VERSION, ...params });
  }

  /**
   * Every event of each thread exactly once, in `seq` order, from the first one this client
   * receives for the thread (PROTOCOL.md §11): when the server skipped live deltas because this
   * client fell behind, the gap is fetched with `thread/events` and the events that arrive
   * meanwhile wait for it.
   */
  onEvent(listener: (event: ThreadEvent) => void): Disposable {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  /** Every `thread/event` notification as it came off the wire, gaps included. */
  onRawEvent(listener: (event: ThreadEvent) => void): Disposable {
    this.rawEventListeners.add(listener);
    return { dispose: () => this.rawEventListeners.delete(listener) };
  }

  /** Answers `approval/request`; declare `capabilities.approvals` in initialize to receive them. */
  onApprovalRequest(handler: ApprovalHandler): Disposable {
    this.approvalHandler = handler;
    return { dispose: () => (this.approvalHandler = undefined) };
  }

  /** `shutdown` then `exit`: running turns end `interrupted` and the server exits 0. */
  async shutdown(): Promise<void> {
    await this.request('shutdown');
    await this.connection.sendNotification(EXIT_NOTIFICATION, undefined);
  }

  dispose(): void {
    this.eventListeners.clear();
    this.rawEventListeners.clear();
    this.connection.dispose();
  }
}

/** `limit` of the `thread/events` pages that fill a gap (the server also caps a page's bytes). */
const GAP_PAGE_LIMIT = 10000;

/** Calls each listener; one that throws is reported and does not keep the event from the others. */
function notify(listeners: Set<(event: ThreadEvent) => void>, event: ThreadEvent): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (error) {
      console.error('a thread/event listener threw:', error);
    }
  }
}

function toThreadlineError(error: unknown): unknown {
  if (error instanceof ThreadlineError) return error;
  const e = error as { code?: unknown; message?: unknown; data?: unknown } | null;
  if (e && typeof e.code === 'number' && typeof e.message === 'string') {
    return ThreadlineError.fromResponse(e.code, e.message, e.data);
  }
  return error;
}
