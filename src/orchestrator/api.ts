/**
 * The orchestrator's one entry for front ends (rpc/, acp/): the operations of PROTOCOL.md, the
 * committed-event stream and the lifecycle. Front ends import this file and the protocol package,
 * nothing else of the orchestrator or the store.
 */
import type { McpServerSpec, ParsedParamsOf, ResultOf, ThreadEvent, Thread } from '@threadline/protocol';
import type { EngineHost, HostTools } from '../host/port.js';
import type { Logger } from '../log.js';
import type { ChangeFeed, Store } from '../store/port.js';
import { BatchRunner, createCommitter } from './commit/commit.js';
import { EventBus, type EventListener } from './commit/event-bus.js';
import { GroupCommitter } from './commit/group-commit.js';
import type { Tx } from './commit/tx.js';
import { EngineCache } from './engines/engine-cache.js';
import type { OperationDeps } from './operations/deps.js';
import { editLastTurn } from './operations/edit.js';
import { InterruptRequestWatcher, requestInterrupt, type InterruptRequestResult } from './operations/interrupt-request.js';
import { eventBacklog, eventPage, eventsAfter, threadExists, type EventPage } from './operations/event-log.js';
import { interrupt } from './operations/interrupt.js';
import { cancelQueued, drain, promoteNext } from './operations/queue.js';
import { getRules, setRules } from './operations/routing.js';
import { startTurn } from './operations/start-turn.js';
import { createThread, deleteThread, getThread, listThreads, setArchived, updateThread } from './operations/threads.js';
import { getTurn } from './operations/turn-records.js';
import { compact } from './operations/history/compact.js';
import { exportThread, importThread } from './operations/history/export-import.js';
import { fork } from './operations/history/fork.js';
import { threadTurns, turnItems } from './operations/history/paging.js';
import { reorderQueued, updateQueued } from './operations/history/queue-edits.js';
import { searchThreads } from './operations/history/search.js';
import { usageReport } from './operations/history/usage-report.js';
import { revert, unrevert } from './operations/history/revert.js';
import { getUsage } from './operations/usage.js';
import { listApprovalRules, respondToApproval, revokeApprovalRule } from './operations/approval-rules.js';
import { waitForTurnEnd } from './operations/wait.js';
import { LeaseOwner } from './ownership/lease-owner.js';
import type { Peer } from './turns/peer.js';
import { endUnconfirmedStarts, recoverInterruptedTurns } from './turns/recovery.js';
import { TurnRunner } from './turns/runner.js';

export type { EventPage } from './operations/event-log.js';
export { ThreadEventPump } from './operations/event-pump.js';
export type { ApprovalClient, Peer } from './turns/peer.js';
export { NO_PEER } from './turns/peer.js';

export interface OrchestratorOptions {
  store: Store;
  host: () => Promise<EngineHost>;
  hostName: string;
  hostSupportsSteer: boolean;
  maxQueued: number;
  /** `--max-item-bytes`: an item's detail is cut past this and marked `metadata.truncated`. */
  maxItemBytes: number;
  maxPromptBytes: number;
  /** `--max-loaded-engines`: engines kept loaded, least recently used evicted first. */
  maxLoadedEngines: number;
  /** `--approval-timeout` in milliseconds: an unanswered approval is denied. */
  approvalTimeoutMs: number;
  /** `--lease-ttl` in milliseconds: a running turn's lease not renewed within it is expired. */
  leaseTtlMs: number;
  /** `--auto-compact-at`: 0 < f ≤ 1; absent: threads are never compacted on their own. */
  autoCompactAt?: number;
  /** The threads' own MCP servers (thread/create { mcpServers }); absent: their servers are not started. */
  threadTools?: { forThread(threadId: string, servers: McpServerSpec[]): HostTools | undefined };
  log: Logger;
}

/** Operations that may start a turn or join a group commit take the `peer` they came from. */
export interface Orchestrator {
  createThread(p: ParsedParamsOf<'thread/create'>): Promise<ResultOf<'thread/create'>>;
  getThread(p: ParsedParamsOf<'thread/get'>): Promise<ResultOf<'thread/get'>>;
  listThreads(p: ParsedParamsOf<'thread/list'>): Promise<ResultOf<'thread/list'>>;
  updateThread(p: ParsedParamsOf<'thread/update'>): Promise<ResultOf<'thread/update'>>;
  setArchived(threadId: string, archived: boolean): Promise<{ thread: Thread }>;
  deleteThread(threadId: string): Promise<ResultOf<'thread/delete'>>;
  threadExists(threadId: string): Promise<boolean>;

  startTurn(p: ParsedParamsOf<'thread/startTurn'>, peer: Peer): Promise<ResultOf<'thread/startTurn'>>;
  editLastTurn(p: ParsedParamsOf<'thread/editLastTurn'>, peer: Peer): Promise<ResultOf<'thread/editLastTurn'>>;
  /** Stops the running turn here, or asks the live process that runs it to (a durable request in the log). */
  requestInterrupt(p: ParsedParamsOf<'thread/interrupt'>, peer: Peer): Promise<InterruptRequestResult>;
  drain(p: ParsedParamsOf<'thread/drain'>, peer: Peer): Promise<ResultOf<'thread/drain'>>;
  interrupt(p: ParsedParamsOf<'thread/interrupt'>, peer: Peer): Promise<ResultOf<'thread/interrupt'>>;
  cancelQueued(p: ParsedParamsOf<'thread/cancelQueued'>, peer: Peer): Promise<ResultOf<'thread/cancelQueued'>>;
  getTurn(turnId: string): Promise<ResultOf<'turn/get'>>;

  forkThread(p: ParsedParamsOf<'thread/fork'>): Promise<ResultOf<'thread/fork'>>;
  revert(p: ParsedParamsOf<'thread/revert'>): Promise<ResultOf<'thread/revert'>>;
  unrevert(p: ParsedParamsOf<'thread/unrevert'>): Promise<ResultOf<'thread/unrevert'>>;
  compact(p: ParsedParamsOf<'thread/compact'>, peer: Peer): Promise<ResultOf<'thread/compact'>>;
  updateQueued(p: ParsedParamsOf<'thread/updateQueued'>, peer: Peer): Promise<ResultOf<'thread/updateQueued'>>;
  reorderQueued(p: ParsedParamsOf<'thread/reorderQueued'>, peer: Peer): Promise<ResultOf<'thread/reorderQueued'>>;
  threadTurns(p: ParsedParamsOf<'thread/turns'>): Promise<ResultOf<'thread/turns'>>;
  turnItems(p: ParsedParamsOf<'turn/items'>): Promise<ResultOf<'turn/items'>>;
  waitForTurn(p: ParsedParamsOf<'turn/wait'>): Promise<ResultOf<'turn/wait'>>;

  eventPage(p: ParsedParamsOf<'thread/events'>): Promise<EventPage>;
  eventBacklog(threadId: string, afterSeq: number | undefined, limit: number): Promise<{ events: ThreadEvent[]; lastSeq: number }>;
  eventsAfter(threadId: string, afterSeq: number, limit: number): Promise<ThreadEvent[]>;
  /** Every event this process commits, once committed, in seq order per thread. */
  onEvent(listener: EventListener): () => void;
  /** Called after each commit of another process on the same store; returns the unsubscribe. */
  onOtherProcessCommit(listener: () => void): () => void;

  getRules(): Promise<ResultOf<'routing/getRules'>>;
  setRules(p: ParsedParamsOf<'routing/setRules'>): Promise<ResultOf<'routing/setRules'>>;
  getUsage(p: ParsedParamsOf<'usage/get'>): Promise<ResultOf<'usage/get'>>;
  searchThreads(p: ParsedParamsOf<'thread/search'>): Promise<ResultOf<'thread/search'>>;
  exportThread(p: ParsedParamsOf<'thread/export'>): Promise<ResultOf<'thread/export'>>;
  importThread(p: ParsedParamsOf<'thread/import'>): Promise<ResultOf<'thread/import'>>;
  usageReport(p: ParsedParamsOf<'usage/report'>): Promise<ResultOf<'usage/report'>>;
  listApprovalRules(p: ParsedParamsOf<'approval/listRules'>): Promise<ResultOf<'approval/listRules'>>;
  revokeApprovalRule(p: ParsedParamsOf<'approval/revokeRule'>): Promise<ResultOf<'approval/revokeRule'>>;
  respondToApproval(p: ParsedParamsOf<'approval/respond'>): Promise<ResultOf<'approval/respond'>>;

  /** Start-up: ends the turns of dead owners, then records this process as an owner (heartbeat on). */
  recover(): Promise<number>;
  /** Stop accepting work: running turns end `interrupted`, queues stay for the next start. */
  shutdown(reason?: string): Promise<void>;
}

export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  const { store, log } = options;
  const bus = new EventBus((error) => log.warn('an event listener failed', { error }));
  const batches = new BatchRunner(store, bus);
  const commit = createCommitter(batches);
  let closed = false;
  // The runner and the lease owner call back into each other; `deps` is complete before either runs.
  const d = {} as OperationDeps;
  const leases = new LeaseOwner(store, options.leaseTtlMs, log, (held) => {
    d.runner.abandonLost(held);
    if ([...held].some((threadId) => !d.runner.running(threadId))) void endOrphans();
  });
  const endOrphans = async (): Promise<void> => {
    try {
      const ended = await endUnconfirmedStarts(commit, leases.ownerId, (threadId) => d.runner.running(threadId) !== undefined, options.maxItemBytes);
      if (ended > 0) log.warn('ended turns whose start the database had not confirmed', { count: ended });
    } catch (error) {
      log.warn('could not end turns whose start the database had not confirmed (retrying at the next heartbeat)', { error: (error as Error).message });
    }
  };
  const engines = new EngineCache({
    host: options.host,
    hostName: options.hostName,
    store,
    log,
    maxLoaded: options.maxLoadedEngines,
    isBusy: (threadId) => d.runner.running(threadId) !== undefined,
  });
  const runner = new TurnRunner({
    commit,
    engines,
    hostName: options.hostName,
    log,
    approvalTimeoutMs: options.approvalTimeoutMs,
    maxItemBytes: options.maxItemBytes,
    ownsTurn: (tx, threadId, turnId) => leases.holds(tx, threadId, turnId),
    // Read with their secrets only here, to start them; every Thread record shows them redacted.
    toolsFor: async (thread) => {
      const manager = options.threadTools;
      if (!manager || !thread.mcpServers?.length) return undefined;
      return manager.forThread(thread.id, await store.read((tx) => tx.threads.mcpServers(thread.id)));
    },
    onTurnEnded: (threadId, status, peer, promptsWaiting) => {
      if (status !== 'interrupted' && promptsWaiting) setImmediate(() => promoteNext(d, threadId, peer));
    },
  });
  Object.assign(d, {
    store,
    commit,
    groupCommit: new GroupCommitter(batches),
    bus,
    leases,
    engines,
    runner,
    otherProcessCommits: store.changeFeed && loggingFeed(store.changeFeed, log),
    hostSupportsSteer: options.hostSupportsSteer,
    limits: { maxQueued: options.maxQueued, maxPromptBytes: options.maxPromptBytes, maxItemBytes: options.maxItemBytes },
    log,
    isClosed: () => closed,
    autoCompactAt: async () => {
      if (options.autoCompactAt === undefined) return undefined;
      try {
        return (await engines.host()).supportsCompaction === true ? options.autoCompactAt : undefined;
      } catch {
        return undefined; // a host that cannot load fails the turn itself, with its own error
      }
    },
  } satisfies OperationDeps);
  // Honours other processes' requests to stop the turns this process runs.
  new InterruptRequestWatcher(d);

  return {
    createThread: (p) => createThread(d, p),
    getThread: (p) => getThread(d, p),
    listThreads: (p) => listThreads(d, p),
    updateThread: (p) => updateThread(d, p),
    setArchived: (threadId, archived) => setArchived(d, threadId, archived),
    deleteThread: (threadId) => deleteThread(d, threadId),
    threadExists: (threadId) => threadExists(d, threadId),
    startTurn: (p, peer) => startTurn(d, p, peer),
    editLastTurn: (p, peer) => editLastTurn(d, p, peer),
    requestInterrupt: (p, peer) => requestInterrupt(d, p, peer),
    drain: (p, peer) => drain(d, p, peer),
    interrupt: (p, peer) => interrupt(d, p, peer),
    cancelQueued: (p, peer) => cancelQueued(d, p, peer),
    getTurn: (turnId) => getTurn(d, turnId),
    forkThread: (p) => fork(d, p),
    revert: (p) => revert(d, p),
    unrevert: (p) => unrevert(d, p),
    compact: (p, peer) => compact(d, p, peer),
    updateQueued: (p, peer) => updateQueued(d, p, peer),
    reorderQueued: (p, peer) => reorderQueued(d, p, peer),
    threadTurns: (p) => threadTurns(d, p),
    turnItems: (p) => turnItems(d, p),
    waitForTurn: (p) => waitForTurnEnd(d, p),
    eventPage: (p) => eventPage(d, p),
    eventBacklog: (threadId, afterSeq, limit) => eventBacklog(d, threadId, afterSeq, limit),
    eventsAfter: (threadId, afterSeq, limit) => eventsAfter(d, threadId, afterSeq, limit),
    onEvent: (listener) => bus.subscribe(listener),
    onOtherProcessCommit: (listener) => d.otherProcessCommits?.watch(listener) ?? (() => {}),
    getRules: () => getRules(d),
    setRules: (p) => setRules(d, p),
    getUsage: (p) => getUsage(d, p),
    searchThreads: (p) => searchThreads(d, p),
    exportThread: (p) => exportThread(d, p),
    importThread: (p) => importThread(d, p),
    usageReport: (p) => usageReport(d, p),
    listApprovalRules: (p) => listApprovalRules(d, p),
    revokeApprovalRule: (p) => revokeApprovalRule(d, p),
    respondToApproval: (p) => respondToApproval(d, p),
    async recover() {
      const isOwnerDead = async (tx: Tx, threadId: string) => (await leases.holderOf(tx, threadId, tx.now)).kind === 'dead';
      const recovered = await recoverInterruptedTurns(store, commit, options.maxItemBytes, isOwnerDead);
      await leases.register();
      return recovered;
    },
    async shutdown(reason = 'server shutting down') {
      if (closed) return;
      closed = true;
      await runner.interruptAll(reason);
      store.changeFeed?.stop();
      await engines.dropAll();
      await leases.release();
    },
  };
}

/** The store's change feed, with a listener's failure logged instead of lost. */
function loggingFeed(feed: ChangeFeed, log: Logger): ChangeFeed {
  return {
    watch: (listener) =>
      feed.watch(() => {
        try {
          listener();
        } catch (error) {
          log.warn('a change listener failed', { error: (error as Error).message });
        }
      }),
    stop: () => feed.stop(),
  };
}
