import type { CancellationToken, Disposable, MessageConnection } from 'vscode-jsonrpc';
import { ThreadlineError } from './errors.js';
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
  private approvalHandler: ApprovalHandler | undefined;

  constructor(readonly connection: MessageConnection) {
    connection.onNotification(THREAD_EVENT_NOTIFICATION, (event: ThreadEvent) => {
      for (const listener of this.eventListeners) listener(event);
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

  /** Every `thread/event` notification, in the order the server sent them. */
  onEvent(listener: (event: ThreadEvent) => void): Disposable {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
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
    this.connection.dispose();
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
