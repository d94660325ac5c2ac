import {
  CancellationTokenSource,
  createMessageConnection,
  type Logger as RpcLogger,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  approvalRequestResultSchema,
  EXIT_NOTIFICATION,
  MCP_STATUS_NOTIFICATION,
  MethodNotFoundError,
  Methods,
  PROTOCOL_VERSION,
  THREAD_EVENT_NOTIFICATION,
  errorKind,
  isMethodName,
  type ErrorName,
  type ResultOf,
  type ThreadEvent,
} from '@threadline/protocol';
import { FramedMessageReader, FramedMessageWriter, type Framing } from '@threadline/protocol/node';
import type { Logger } from '../log.js';
import type { ApprovalClient, Orchestrator, Peer } from '../orchestrator/api.js';
import { invalidParams, toResponseError } from './errors.js';
import { historyHandlers } from './handlers/history.js';
import { reportingHandlers } from './handlers/reporting.js';
import { routingHandlers } from './handlers/routing.js';
import { threadHandlers } from './handlers/thread.js';
import { turnHandlers } from './handlers/turn.js';
import type { Handlers } from './handlers/types.js';
import { usageHandlers } from './handlers/usage.js';
import { mcpHandlers, type McpStatusFeed } from './handlers/mcp.js';
import { approvalHandlers } from './handlers/approval.js';
import { subscriptionHandlers } from './handlers/subscription.js';
import { OutputGate } from './backpressure.js';
import { monotonicMs } from './clock.js';
import { refuseWrite } from './read-only.js';
import { ConnectionGate } from './connection-gate.js';
import { PageReads } from './page-reads.js';
import { RequestIds } from './request-ids.js';
import { Subscriptions } from './subscriptions.js';

export interface RpcServerOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  framing: Framing;
  maxMessageBytes: number;
  orchestrator: Orchestrator;
  log: Logger;
  version: string;
  dbPath: string;
  hosts: string[];
  steer: boolean;
  /** The MCP servers of `--mcp-config`: `mcp/servers` answers from it, `mcp/status` relays its changes. */
  mcp?: McpStatusFeed;
  /** Stops the process: `exit` after `shutdown`, stdin closed, or a signal. */
  stop: (exitCode: number) => void;
  /** `serve --read-only`: methods that write are answered -32030 `data.readOnly` (read-only.ts). */
  readOnly?: boolean;
}

/**
 * Unread output past which live notifications but `turn.completed` are skipped (PROTOCOL.md §11),
 * and requests are held back (and the input not read) until the client reads below the low mark.
 */
const MAX_OUTBOUND_BYTES = 8 * 1024 * 1024;
const RESUME_OUTBOUND_BYTES = 4 * 1024 * 1024;
/** Received requests waiting for dispatch past which the input is not read (group commit's batch). */
const MAX_UNDISPATCHED = 256;
const MAX_UNDISPATCHED_BYTES = 16 * 1024 * 1024;

export interface RpcServer {
  connection: MessageConnection;
  /**
   * Resolves once every request received so far has been answered and the answers have left
   * (or at `deadline`, a `monotonicMs()` time): requests that arrived just before stdin
   * closed still get their answers, however slow the store. With `exceptWaits`, requests that
   * only wait for something shutdown itself ends (`turn/wait`, `shutdown`) need only have
   * started: shutdown interrupts the turns they wait for, and a second settle answers them.
   */
  settle(deadline: number, options?: { exceptWaits?: boolean }): Promise<void>;
}

/**
 * Serves one client on a pair of streams: framing with a size cap, the lifecycle gate, params
 * validated by the method table's schemas, handlers from the same table, events as notifications.
 */
export function startRpcServer(options: RpcServerOptions): RpcServer {
  const { orchestrator, log } = options;
  const session = new ConnectionGate();
  /** This connection as the orchestrator's peer: set up at `initialize`. */
  const peer: { approvals?: ApprovalClient; inputBacklog: () => number } = { inputBacklog: () => ids.backlog };
  const writer = new FramedMessageWriter(options.output, options.framing);
  const reader = new FramedMessageReader(options.input, {
    framing: options.framing,
    maxMessageBytes: options.maxMessageBytes,
    onRejected: ({ code, message, id }) => {
      log.debug('rejected an incoming message', { code, message, id });
      const name = code === -32700 ? 'ParseError' : 'InvalidRequest';
      void writer.write({ jsonrpc: '2.0', id, error: { code, message, data: { kind: errorKind(name as ErrorName) } } } as never).catch(() => undefined);
      gate.check(); // garbage answered faster than it is read must not grow our output without bound
    },
  });
  // vscode-jsonrpc's own complaints are about what a peer sent (e.g. a stray response), not our bugs.
  const rpcLog: RpcLogger = {
    error: (m) => log.warn(m),
    warn: (m) => log.warn(m),
    info: (m) => log.debug(m),
    log: (m) => log.debug(m),
  };
  const ids = new RequestIds(
    {
      onRefused: (id, method, message, data) => {
        log.debug('refused a request', { id, method, message });
        const error = { code: -32600, message, data: { kind: errorKind('InvalidRequest'), ...data } };
        void writer.write({ jsonrpc: '2.0', id, error } as never).catch(() => undefined);
        gate.check();
      },
      onIgnored: (reason, detail) => log.debug(`ignored ${reason}`, detail),
      onBacklog: () => updateInput(),
    },
    () => reader.lastMessageBytes,
  );
  const connection = createMessageConnection(ids.reader(reader), ids.writer(writer), rpcLog, { messageStrategy: ids.messageStrategy });
  const gate = new OutputGate({
    writer,
    log,
    highWaterBytes: MAX_OUTBOUND_BYTES,
    lowWaterBytes: RESUME_OUTBOUND_BYTES,
    onHoldChange: () => updateInput(),
  });
  /**
   * Reads the input only while it can be served: not while answers are held back for a client
   * that does not read them, nor while many requests already wait for dispatch (a client that
   * writes faster than we dispatch is held back by its pipe, not queued in our memory).
   */
  function updateInput(): void {
    const queueFull = ids.backlog >= MAX_UNDISPATCHED || ids.backlogBytes >= MAX_UNDISPATCHED_BYTES;
    if (queueFull || gate.holding) reader.pause();
    else reader.resume();
  }
  let skipping = false;
  const sendEvent = (event: ThreadEvent) => {
    // A client that does not read must not make us buffer without bound: while its backlog is
    // over the limit, live events are skipped — all but `turn.completed`, so a client waiting
    // for a turn's end still gets it (every event stays in the log; the client sees a seq gap
    // and fetches it with thread/events, as the protocol package's client does by itself).
    if (event.kind !== 'turn.completed' && writer.bufferedBytes > MAX_OUTBOUND_BYTES) {
      if (!skipping) log.warn('the client is not reading: skipping live notifications but turn.completed', { threadId: event.threadId, seq: event.seq });
      skipping = true;
      return;
    }
    skipping = false;
    // Straight to the writer, in commit order with the responses; still written after stdin
    // closed (the client may be reading), where vscode-jsonrpc's sendNotification would throw.
    const message = { jsonrpc: '2.0', method: THREAD_EVENT_NOTIFICATION, params: event };
    void writer.write(message as never).catch(() => undefined);
  };
  const subscriptions = new Subscriptions(orchestrator, sendEvent, (error) => log.warn('a subscription could not read the event log', { error: (error as Error).message }));

  const handlers: Handlers = {
    initialize: (p) => {
      session.state = 'ready';
      session.clientApprovals = p.capabilities?.approvals === true;
      session.clientName = p.clientInfo?.name;
      peer.approvals = session.clientApprovals ? approvalClient(connection) : undefined;
      log.info('client initialized', { client: p.clientInfo, approvals: session.clientApprovals });
      const result: ResultOf<'initialize'> = {
        protocolVersion: PROTOCOL_VERSION,
        serverInfo: { name: 'threadline', version: options.version },
        capabilities: { framing: options.framing, hosts: options.hosts, steer: options.steer, approvals: true, history: true },
        dbPath: options.dbPath,
      };
      // What nearly every client asks next (an IDE lists its threads): that method's params schema
      // is built while the client reads this answer, rather than after its request has arrived.
      setImmediate(() => Methods['thread/list'].params.safeParse({}));
      return result;
    },
    shutdown: async () => {
      session.state = 'shutting_down';
      if (!options.readOnly) await orchestrator.shutdown(); // read-only: no turn runs, nothing to write
      return null;
    },
    ...threadHandlers(orchestrator),
    ...turnHandlers(orchestrator),
    ...historyHandlers(orchestrator),
    ...reportingHandlers(orchestrator),
    ...routingHandlers(orchestrator),
    ...usageHandlers(orchestrator),
    ...mcpHandlers(options.mcp),
    ...approvalHandlers(orchestrator),
    ...subscriptionHandlers(subscriptions),
  };

  const pageReads = new PageReads();
  /** Handlers running that wait for an event shutdown brings about (see `settle`). */
  let waiting = 0;
  connection.onRequest(async (method, rawParams, token) => {
    const waits = method === 'turn/wait' || method === 'shutdown';
    if (waits) waiting++;
    const begun = monotonicMs();
    try {
      return await pageReads.run(method, async () => {
        const held = gate.admit();
        if (held) await held;
        if (!isMethodName(method)) throw new MethodNotFoundError(method);
        session.admit(method);
        const refused = options.readOnly ? refuseWrite(method) : undefined;
        if (refused) throw refused;
        const parsed = Methods[method].params.safeParse(Array.isArray(rawParams) ? rawParams : (rawParams ?? {}));
        if (!parsed.success) throw invalidParams(parsed.error);
        const handler = handlers[method] as (params: unknown, context: { token: typeof token; peer: Peer }) => unknown;
        return await handler(parsed.data, { token, peer });
      });
    } catch (error) {
      throw toResponseError(error, log, method);
    } finally {
      if (waits) waiting--;
      log.debug('handled', { method, ms: Math.round(monotonicMs() - begun) });
    }
  });
  connection.onNotification(EXIT_NOTIFICATION, () => options.stop(0));
  connection.onClose(() => options.stop(0));
  connection.onError(([error]) => log.debug('connection error', { message: error.message }));

  orchestrator.onEvent((event) => {
    if (session.state === 'uninitialized') return;
    // A subscribed thread's events go through its subscription (no gap, no duplicate); any
    // other thread's events are this process's own, sent as they commit.
    if (!subscriptions.deliverOwn(event)) sendEvent(event);
  });
  // Process-level, not any thread's: sent to an initialized client as it happens, never logged.
  options.mcp?.onStatus((status) => {
    if (session.state === 'uninitialized' || writer.bufferedBytes > MAX_OUTBOUND_BYTES) return;
    void writer.write({ jsonrpc: '2.0', method: MCP_STATUS_NOTIFICATION, params: status } as never).catch(() => undefined);
  });
  connection.listen();

  const settle = async (deadline: number, settleOptions: { exceptWaits?: boolean } = {}) => {
    // `ids.inFlight` counts every request received and not yet answered, dispatched or not (an
    // answer counts once it is handed to the writer); the waiting handlers are among them. The
    // count is bounded (MAX_IN_FLIGHT), so this ends once the store has served them all.
    const pending = () => ids.inFlight - (settleOptions.exceptWaits ? waiting : 0);
    while (pending() > 0 && monotonicMs() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    // The answers must leave too: the caller exits next, and output still queued in the process
    // (more than the pipe holds, e.g. 10000 answers at once) would be lost.
    let timer: NodeJS.Timeout | undefined;
    const left = Math.max(0, deadline - monotonicMs());
    await Promise.race([writer.whenBelow(0), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
  };
  return { connection, settle };
}

function approvalClient(connection: MessageConnection): ApprovalClient {
  return async (params, signal) => {
    const source = new CancellationTokenSource();
    signal.addEventListener('abort', () => source.cancel(), { once: true });
    const answer = await connection.sendRequest('approval/request', params, source.token);
    // An answer that does not parse (an unknown decision, a malformed rule) is a deny.
    const parsed = approvalRequestResultSchema().safeParse(answer);
    return parsed.success ? parsed.data : { decision: 'deny' };
  };
}
