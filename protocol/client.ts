import { ConnectionError, type CancellationToken, type Disposable, type MessageConnection } from 'vscode-jsonrpc';
import { ThreadlineError } from './errors.js';
import { ServerExitedError } from './server-exited.js';
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

/**
 * What a client receives for method M: the method table's result, except that event pages are
 * `ThreadEvent[]`, so checking `kind` narrows `payload` (zod's inferred union does not).
 */
export type ClientResultOf<M extends MethodName> = M extends 'thread/events' | 'thread/subscribe'
  ? Omit<ResultOf<M>, 'events'> & { events: ThreadEvent[] }
  : ResultOf<M>;

export interface ThreadlineClientOptions {
  /**
   * Settles with the reason the connection is going to close, when the caller knows more than
   * "the stream ended" (spawnThreadline: the exit code, signal and stderr of the process). When
   * it settles, or the connection closes, the client closes with it.
   */
  closeReason?: Promise<ServerExitedError>;
}

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
  private closeError: ServerExitedError | undefined;
  /** One callback per request in flight; close() settles them all. */
  private readonly pending = new Set<(error: ServerExitedError) => void>();
  private resolveClosed!: (error: ServerExitedError) => void;
  /**
   * Resolves (never rejects) with the ServerExitedError once the connection is gone: the server
   * exited, its stdout closed, or the client was disposed.
   */
  readonly closed: Promise<ServerExitedError>;

  constructor(
    readonly connection: MessageConnection,
    options: ThreadlineClientOptions = {},
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    const { closeReason } = options;
    void closeReason?.then((error) => this.close(error));
    connection.onClose(() => {
      if (!closeReason) return this.close(new ServerExitedError('the connection to the threadline server closed'));
      // The process's exit status follows the end of its stdout; wait a moment for it.
      setTimeout(() => this.close(new ServerExitedError('the threadline server closed its stdout')), CLOSE_REASON_WAIT_MS).unref();
    });
    connection.onDispose(() => this.close(new ServerExitedError('the threadline client was disposed')));
    this.sequencer = new EventSequencer(
      (threadId, afterSeq, limit) => this.request('thread/events', { threadId, afterSeq, limit }),
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

  /**
   * Sends `method` with `params`; resolves with the typed result, or rejects with a ThreadlineError
   * (an error response) or a ServerExitedError (no answer will ever come).
   */
  async request<M extends MethodName>(method: M, ...[params, token]: ParamsArg<M>): Promise<ClientResultOf<M>> {
    if (this.closeError) throw this.closeError;
    let sent: Promise<unknown>;
    try {
      // A trailing `undefined` would be sent as a second positional param: pass the token only if given.
      sent = token
        ? this.connection.sendRequest(method, params ?? {}, token)
        : this.connection.sendRequest(method, params ?? {});
    } catch (error) {
      sent = Promise.reject(error);
    }
    // vscode-jsonrpc leaves a request pending forever when the connection closes: race the close.
    // (A per-request callback that is removed on settling, not `this.closed.then`: that would
    // keep one reaction per request ever sent until the connection closes.)
    const outcome = await new Promise<{ result: unknown } | { error: unknown } | { closed: ServerExitedError }>((resolve) => {
      const onClose = (closed: ServerExitedError) => resolve({ closed });
      this.pending.add(onClose);
      sent.then(
        (result) => {
          this.pending.delete(onClose);
          resolve({ result });
        },
        (error: unknown) => {
          this.pending.delete(onClose);
          resolve({ error });
        },
      );
    });
    if ('closed' in outcome) throw outcome.closed;
    if ('error' in outcome) {
      // "Connection is closed", a failed write, "Pending response rejected": the stream is gone and
      // its close is on the way; report that (or close with this error if no close follows).
      if (isConnectionGone(outcome.error)) throw await this.closedSoon(outcome.error);
      throw toThreadlineError(outcome.error);
    }
    return outcome.result as ClientResultOf<M>;
  }

  /** `initialize` with this package's protocol version filled in. */
  initialize(params: Partial<ParamsOf<'initialize'>> = {}): Promise<ClientResultOf<'initialize'>> {
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

  /** Calls `listener` once, with the ServerExitedError, when the connection is gone. */
  onClose(listener: (error: ServerExitedError) => void): Disposable {
    let live = true;
    void this.closed.then((error) => live && listener(error));
    return { dispose: () => (live = false) };
  }

  /** `shutdown` then `exit`: running turns end `interrupted` and the server exits 0. */
  async shutdown(): Promise<void> {
    await this.request('shutdown');
    await this.connection.sendNotification(EXIT_NOTIFICATION, undefined);
  }

  dispose(): void {
    this.close(new ServerExitedError('the threadline client was disposed'));
    this.eventListeners.clear();
    this.rawEventListeners.clear();
    this.connection.dispose();
  }

  private async closedSoon(cause: unknown): Promise<ServerExitedError> {
    const timer = setTimeout(() => {
      this.close(new ServerExitedError(`the connection to the threadline server failed: ${(cause as Error).message}`, {}, { cause }));
    }, CLOSE_REASON_WAIT_MS);
    const error = await this.closed;
    clearTimeout(timer);
    return error;
  }

  /** The first reason wins; pending and later requests reject with it. */
  private close(error: ServerExitedError): void {
    if (this.closeError) return;
    this.closeError = error;
    this.resolveClosed(error);
    for (const settle of this.pending) settle(error);
    this.pending.clear();
  }
}

/** How long a closed connection waits for `closeReason` before closing without it. */
const CLOSE_REASON_WAIT_MS = 2000;

/**
 * vscode-jsonrpc's errors for "the connection is closed or broken": ConnectionError (closed,
 * disposed) and its reserved codes -32099 (write failed) to -32096 (connection inactive).
 */
function isConnectionGone(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= -32099 && code <= -32096;
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
