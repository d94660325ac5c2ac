import { HostError, type Admission, type Thread, type Turn } from '@threadline/protocol';
import {
  engineApprovalRequestSchema,
  type CompactionInput,
  type EngineApprovalRequest,
  type EngineEvent,
  type HostTools,
  type TurnContext,
  type TurnInput,
} from '../../host/port.js';
import type { Logger } from '../../log.js';
import type { ReadTx } from '../../store/port.js';
import { storeErrorRetryable, storeFailure } from '../../store/store-errors.js';
import type { Commit } from '../commit/commit.js';
import type { Tx } from '../commit/tx.js';
import { capMetadata, capText, cutToBytes, ERROR_BYTES, MetadataError, quoted } from '../decide/item-limits.js';
import { summarize } from '../decide/summarize.js';
import { HistoryUnavailable, type EngineCache } from '../engines/engine-cache.js';
import { HostFault, messageOf, type GuardedEngine } from '../engines/host-guard.js';
import { newId } from '../ids.js';
import { addUsage, newActiveTurn, OpenItem, type ActiveTurn } from './active-turn.js';
import { askApproval, type ApprovalFlowDeps, type PendingApproval } from './approval-flow.js';
import type { Peer } from './peer.js';
import { loggedTextOf } from './recovery.js';
import { describeRefusal, END_RETRY_MS, REFUSED_END_RETRY_MS, refusedOutcome } from './refusal.js';
import { cancelPending, finishTurn, type TurnOutcome } from './steps.js';

export interface TurnRunnerDeps {
  commit: Commit;
  engines: EngineCache;
  hostName: string;
  log: Logger;
  /** An approval nobody answers within this is denied (reason `timed_out`). */
  approvalTimeoutMs: number;
  /**
   * `--max-item-bytes`: an item's `detail` is cut past this and marked `metadata.truncated`; its
   * `metadata` and an approval's detail are capped at it too (item-limits.ts).
   */
  maxItemBytes: number;
  /**
   * True while this process still holds the turn's lease; another process may have recovered
   * the turn after this one stalled past the lease.
   */
  ownsTurn: (tx: ReadTx, threadId: string, turnId: string) => Promise<boolean>;
  /** The thread's own MCP tools for a turn (started in the background on first use); undefined: none. */
  toolsFor?: (thread: Thread) => Promise<HostTools | undefined>;
  /**
   * Called after a turn's end is committed (the orchestrator promotes the next prompt);
   * `promptsWaiting` false: that commit saw none, so there is nothing to promote.
   */
  onTurnEnded: (threadId: string, status: TurnOutcome['status'], peer: Peer, promptsWaiting: boolean) => void;
}

/** Room `metadata.truncated: true` takes, kept free when an item's metadata is capped. */
const TRUNCATED_MARK_BYTES = 32;

/** A host broke the port's contract (unknown item key, duplicate key…): the turn fails with this. */
class HostContractError extends Error {}

/** The engine reported `turn.failed`: the turn fails with its error, as given. */
class EngineReportedFailure extends Error {}

/**
 * Runs turns: starts them on the engine, turns what the engine reports into committed items,
 * deltas and usage (commit, then publish), and ends them exactly once.
 */
export class TurnRunner {
  private readonly active = new Map<string, ActiveTurn>();

  constructor(private readonly deps: TurnRunnerDeps) {}

  running(threadId: string): ActiveTurn | undefined {
    return this.active.get(threadId);
  }

  /** Call right after the commit that began the turn, before any await. */
  register(turn: Turn, autoApprove: boolean, peer: Peer): ActiveTurn {
    const flush = () => void this.flushSafely(active);
    const active: ActiveTurn = newActiveTurn(turn.threadId, turn.id, autoApprove, peer, flush, turn.kind === 'compaction');
    this.active.set(turn.threadId, active);
    return active;
  }

  /**
   * Starts the turn on the thread's engine; a host that cannot start it → turn `failed` + HostError;
   * a database that fails while the engine loads → turn `failed` + the store's error.
   */
  launch(active: ActiveTurn, thread: Thread, input: TurnInput): Promise<void> {
    return this.start(active, thread, (engine, context) => engine.startTurn(input, context));
  }

  /** Starts a compaction turn (`thread/compact`) on the thread's engine, like `launch`. */
  launchCompaction(active: ActiveTurn, thread: Thread, input: CompactionInput): Promise<void> {
    return this.start(active, thread, (engine, context) => engine.compact(input, context));
  }

  private async start(
    active: ActiveTurn,
    thread: Thread,
    begin: (engine: GuardedEngine, context: TurnContext) => Promise<AsyncIterable<EngineEvent>>,
  ): Promise<void> {
    let stream: AsyncIterable<EngineEvent>;
    try {
      const engine = await this.deps.engines.acquire(thread, active.turnId);
      active.engine = engine;
      if (active.ended) return;
      const tools = await this.threadTools(thread);
      stream = await begin(engine, {
        signal: active.abort.signal,
        requestApproval: (request) => this.requestApproval(active, request),
        ...(tools ? { tools } : {}),
      });
    } catch (error) {
      if (active.ended) return;
      this.deps.engines.discard(active.threadId, active.engine); // the next turn gets a fresh engine
      const storeFailed = error instanceof HistoryUnavailable;
      const message = storeFailed ? `storage error: ${messageOf(error)}` : `${this.deps.hostName} host failed to start the turn: ${messageOf(error)}`;
      this.deps.log.warn(message, { threadId: active.threadId, turnId: active.turnId });
      await this.endRetrying(active, { status: 'failed', error: message });
      // The database failed, not the host: its own error, answered like any refused call (-32030).
      if (storeFailed) throw error.storeError;
      throw new HostError(message, { threadId: active.threadId, turnId: active.turnId, host: this.deps.hostName });
    }
    if (active.ended) return;
    // After the caller's response is written: a turn's streamed events follow the call that started it.
    setImmediate(() => void this.consume(active, stream));
  }

  /** A thread whose servers cannot even be read runs its turn without them (the log says why). */
  private async threadTools(thread: Thread): Promise<HostTools | undefined> {
    try {
      return await this.deps.toolsFor?.(thread);
    } catch (error) {
      this.deps.log.warn("could not start the thread's MCP servers", { threadId: thread.id, error: messageOf(error) });
      return undefined;
    }
  }

  private async consume(active: ActiveTurn, stream: AsyncIterable<EngineEvent>): Promise<void> {
    let outcome: TurnOutcome;
    try {
      for await (const event of stream) {
        if (active.ended || active.endRecorded || active.failing) return;
        this.apply(active, event);
      }
      if (active.compaction && !active.compaction.summarized) throw new HostContractError('the compaction ended without a context_compaction item');
      outcome = { status: 'completed', usage: active.usage };
    } catch (error) {
      if (active.ended || active.failing) return;
      // A faulty engine is in an unknown state: the next turn reloads it from persisted history.
      if (error instanceof HostFault || error instanceof HostContractError) this.deps.engines.discard(active.threadId, active.engine);
      const prefix = error instanceof HostContractError ? `${this.deps.hostName} host: ` : '';
      outcome = { status: 'failed', error: `${prefix}${messageOf(error)}`, usage: active.usage };
    }
    if (!active.ended && !active.failing) await this.endRetrying(active, outcome);
  }

  private apply(active: ActiveTurn, event: EngineEvent): void {
    const { threadId, turnId, pending } = active;
    switch (event.type) {
      case 'item.started': {
        if (active.items.has(event.key)) throw new HostContractError(`item ${quoted(event.key)} started twice`);
        if (active.compaction && event.kind !== 'context_compaction' && event.kind !== 'reasoning') {
          throw new HostContractError(`a compaction reported an item of kind ${quoted(event.kind)} (only context_compaction and reasoning)`);
        }
        const metadata = this.metadataOf(event.metadata);
        const open = new OpenItem(newId('item'), this.deps.maxItemBytes);
        if (event.text !== undefined) open.append(event.text);
        active.items.set(event.key, open);
        const { kind } = event;
        const detail = event.text === undefined ? undefined : open.text;
        pending.addWrite(async (tx) => {
          const item = await tx.items.insert({ id: open.itemId, turnId, threadId, kind, status: 'in_progress', summary: summarize(detail), detail, metadata, now: tx.now });
          await tx.emit(threadId, 'item.started', { item }, { turnId, itemId: open.itemId });
        });
        return;
      }
      case 'item.delta': {
        const open = active.items.get(event.key);
        if (!open) throw new HostContractError(`delta for unknown item ${quoted(event.key)}`);
        if (event.text.length === 0) return;
        open.append(event.text);
        if (pending.addDelta(open.itemId, event.text)) void this.flushSafely(active);
        return;
      }
      case 'item.completed': {
        const open = active.items.get(event.key);
        if (!open) throw new HostContractError(`completion of unknown item ${quoted(event.key)}`);
        const hostMetadata = this.metadataOf(event.metadata, TRUNCATED_MARK_BYTES);
        active.items.delete(event.key);
        const full = event.text ?? open.text;
        const detail = cutToBytes(full, this.deps.maxItemBytes);
        const truncated = open.truncated || detail.length < full.length;
        const metadata = truncated ? { ...hostMetadata, truncated: true } : hostMetadata;
        const status = event.status ?? 'completed';
        if (active.compaction && status === 'completed') active.compaction.summarized = true;
        pending.addWrite(async (tx) => {
          const item = await tx.items.finish(open.itemId, { status, detail, summary: summarize(detail), metadata, endedAt: tx.now });
          await tx.emit(threadId, 'item.completed', { item }, { turnId, itemId: open.itemId });
        });
        return;
      }
      case 'usage':
        active.usage = addUsage(active.usage, event.usage);
        return;
      case 'context': {
        // Persisted on the thread (thread/get, another process, after a restart) with its event.
        const usage = { turnId, used: event.used, size: event.size };
        pending.addWrite(async (tx) => {
          await tx.threads.setContextUsage(threadId, usage);
          await tx.emit(threadId, 'context.usage', usage, { turnId });
        });
        return;
      }
      case 'turn.failed':
        throw new EngineReportedFailure(event.error);
      default:
        throw new HostContractError(`unknown event type "${(event as { type?: unknown }).type}"`);
    }
  }

  /**
   * The host's metadata as plain JSON within `--max-item-bytes` (less `reserve`, room for a mark
   * added after): an oversized one keeps the entries that fit and is marked `metadataTruncated`.
   */
  private metadataOf(metadata: Record<string, unknown> | undefined, reserve = 0): Record<string, unknown> | undefined {
    try {
      return capMetadata(metadata, this.deps.maxItemBytes - reserve);
    } catch (error) {
      throw new HostContractError(error instanceof MetadataError ? error.message : `metadata could not be read: ${messageOf(error)}`);
    }
  }

  /** Commits what the turn reported so far, in a transaction of its own. */
  private async flush(active: ActiveTurn): Promise<void> {
    if (active.ended || active.endRecorded || active.failing || active.pending.isEmpty) return;
    await this.commitOwned(active, (tx) => active.pending.writeAll(tx));
  }

  /**
   * Commits `write` for a turn this process still holds; a turn another process took over
   * (its lease had expired) is abandoned instead, and nothing is written for it. Nothing is
   * written either once the turn's end is recorded (by another call, in an earlier transaction):
   * false in both cases.
   */
  private async commitOwned(active: ActiveTurn, write: (tx: Tx) => Promise<void>): Promise<boolean> {
    const outcome = await this.deps.commit(async (tx) => {
      if (active.ended || active.endRecorded) return 'ended';
      if (!(await this.deps.ownsTurn(tx, active.threadId, active.turnId))) return 'lost';
      await write(tx);
      return 'written';
    });
    if (outcome === 'lost') this.abandon(active);
    return outcome === 'written';
  }

  /** Stops a turn this process no longer holds, writing nothing: its new holder ended it. */
  abandon(active: ActiveTurn): void {
    if (active.ended) return;
    this.deps.log.warn('another process took this turn over (its lease had expired): stopping it here', { threadId: active.threadId, turnId: active.turnId });
    this.afterEndCommitted(active, { status: 'interrupted' }, undefined);
  }

  /** After a heartbeat: turns running here whose thread lease this process no longer holds are abandoned. */
  abandonLost(held: Set<string>): void {
    for (const active of [...this.active.values()]) if (!held.has(active.threadId)) this.abandon(active);
  }

  private async flushSafely(active: ActiveTurn): Promise<void> {
    try {
      await this.flush(active);
    } catch (error) {
      if (active.ended || active.failing) return;
      // A refusal for good is logged once, by endRetrying, as it drops what was refused.
      if (storeErrorRetryable(error)) this.deps.log.warn('the database refused what a turn reported: ending the turn', { turnId: active.turnId, error: messageOf(error) });
      await this.endRetrying(active, { status: 'failed', error: `storage error: ${messageOf(error)}`, usage: active.usage });
    }
  }

  private async requestApproval(active: ActiveTurn, raw: EngineApprovalRequest): Promise<'approve' | 'deny'> {
    if (active.ended) return 'deny';
    const parsed = engineApprovalRequestSchema().safeParse(raw);
    const request = parsed.data;
    const open = request && active.items.get(request.itemKey);
    if (!request || !open) {
      const problem = request
        ? `an approval for unknown item ${quoted(request.itemKey)}`
        : `a malformed approval request (${capText(String(parsed.error?.issues[0]?.message), 200)})`;
      this.deps.engines.discard(active.threadId, active.engine);
      await this.endRetrying(active, { status: 'failed', error: `${this.deps.hostName} host asked for ${problem}`, usage: active.usage });
      return 'deny';
    }
    return askApproval(this.approvalFlow, active, open.itemId, request);
  }

  private get approvalFlow(): ApprovalFlowDeps {
    return {
      commitOwned: (active, write) => this.commitOwned(active, write),
      approvalTimeoutMs: this.deps.approvalTimeoutMs,
      maxItemBytes: this.deps.maxItemBytes,
      log: this.deps.log,
      // A new rule decides the approvals it matches, in every turn this process runs.
      onRuleAdded: () => {
        for (const active of [...this.active.values()]) for (const approval of [...active.approvals.values()]) approval.recheck();
      },
    };
  }

  /** The approval `approvalId` still waiting for a decision in this process, if any. */
  pendingApproval(approvalId: string): PendingApproval | undefined {
    for (const active of this.active.values()) {
      const approval = active.approvals.get(approvalId);
      if (approval) return approval;
    }
    return undefined;
  }

  /** Hands a steered prompt to the running engine; false when it cannot take it now. */
  steer(active: ActiveTurn, text: string): boolean {
    // A compaction has no conversation turn to add to: the prompt is queued and runs after it.
    if (active.ended || active.compaction || !active.engine?.steer) return false;
    return active.engine.steer(text);
  }

  /**
   * Ends the turn once: pending deltas, approvals denied, open items closed, `turn.completed`,
   * then (when asked) the queue cancelled — all in one transaction. Undefined if already ended.
   */
  async end(active: ActiveTurn, outcome: TurnOutcome, cancelQueue: boolean): Promise<{ turn: Turn; cancelled: Admission[] } | undefined> {
    if (active.ended || active.endRecorded) return undefined;
    let recording = outcome;
    const result = await this.deps.commit(async (tx) => {
      // An attempt queued behind one the database refused records what that one decided (the
      // refusal's outcome, once the refused writes were dropped), not what it was asked for.
      recording = active.failing?.outcome ?? outcome;
      const recorded = await this.recordEnd(tx, active, recording, cancelQueue);
      // Whether prompts wait, as of the commit that makes the thread idle: a prompt admitted after
      // it finds the thread idle and starts its own turn, so promoting (a write transaction of
      // its own) is needed only when some waited here.
      return recorded && { turn: recorded.turn, cancelled: recorded.cancelled, promptsWaiting: (await tx.admissions.countPending(active.threadId)) > 0 };
    });
    this.afterEndCommitted(active, recording, result);
    return result;
  }

  /**
   * The transactional half of `end`, inside the caller's transaction: nothing is written for a
   * turn this process no longer holds, or whose end an earlier transaction recorded (then
   * `active.endRecorded` is set already). Call `afterEndCommitted` once the transaction committed.
   */
  async recordEnd(tx: Tx, active: ActiveTurn, outcome: TurnOutcome, cancelQueue: boolean): Promise<{ turn: Turn; cancelled: Admission[] } | undefined> {
    const { threadId, turnId } = active;
    if (active.ended || active.endRecorded || !(await this.deps.ownsTurn(tx, threadId, turnId))) return undefined;
    // A host's error text (turn.failed, a thrown message) is stored and sent: cap it.
    if (outcome.error !== undefined) outcome = { ...outcome, error: capText(outcome.error, ERROR_BYTES) };
    // The open items' text as of the writes taken now, in the same tick: on a store whose
    // statements are real round trips (Postgres) the engine's next deltas arrive between this
    // transaction's statements; they stay pending and die with the turn, so the detail must not
    // include them either (an item's detail is its deltas, concatenated).
    const texts = new Map([...active.items.values()].map((o) => [o.itemId, { text: o.text, truncated: o.truncated }]));
    await active.pending.writeAll(tx);
    for (const [approvalId, approval] of active.approvals) {
      const payload = { approvalId, decision: 'deny' as const, reason: 'interrupted' as const };
      await tx.emit(threadId, 'approval.resolved', payload, { turnId, itemId: approval.itemId });
    }
    // Writes the database refused for good were dropped: an open item keeps the text its logged
    // deltas hold (its detail stays their concatenation), never the refused text sent once more.
    const textOf = active.failing?.refused
      ? await loggedTextOf(tx, threadId, turnId, this.deps.maxItemBytes)
      : async (itemId: string) => texts.get(itemId) ?? { text: '', truncated: false };
    const turn = await finishTurn(tx, turnId, outcome, textOf);
    const cancelled = turn && cancelQueue ? await cancelPending(tx, threadId) : [];
    if (turn) {
      // From here on a later transaction writes nothing more for the turn (unless this one rolls back).
      active.endRecorded = true;
      tx.onRollback(() => (active.endRecorded = false));
    }
    return turn && { turn, cancelled };
  }

  /**
   * After the end committed (or when the turn is abandoned): the engine stops, waiters are
   * released. A call whose `recordEnd` found the end recorded by another does nothing: that
   * other call finishes the turn.
   */
  afterEndCommitted(active: ActiveTurn, outcome: TurnOutcome, result: { turn: Turn; promptsWaiting?: boolean } | undefined): void {
    if (active.ended || (!result && active.endRecorded)) return;
    const { threadId } = active;
    active.ended = true;
    active.pending.discard();
    if (active.failing?.retry) clearTimeout(active.failing.retry);
    if (this.active.get(threadId) === active) this.active.delete(threadId);
    for (const approval of [...active.approvals.values()]) {
      approval.cancel();
      approval.settle('deny');
    }
    active.abort.abort();
    if (outcome.status === 'interrupted' || !result) active.engine?.interrupt();
    if (result) this.deps.onTurnEnded(threadId, outcome.status, active.peer, result.promptsWaiting ?? true);
  }

  /**
   * Ends the turn; when the database refuses (disk full, locked), stops the engine, keeps what is
   * pending, and retries every second until the end is recorded — never a turn stuck running.
   * A refusal for good (a constraint, a trigger, a value it cannot store: the same writes would be
   * refused forever) drops what is pending instead and ends the turn failed at once, saying so.
   */
  private async endRetrying(active: ActiveTurn, outcome: TurnOutcome): Promise<void> {
    const wanted = active.failing?.outcome ?? outcome;
    const smallest = active.failing?.refused === true; // this attempt wrote nothing the engine reported
    try {
      await this.end(active, wanted, false);
    } catch (error) {
      if (active.ended) return;
      const failing = this.startFailing(active, wanted);
      if (storeErrorRetryable(error)) {
        if (!failing.warned) this.deps.log.warn('the database refused the end of a turn: retrying every second', { turnId: active.turnId, error: messageOf(error) });
        failing.warned = true;
        this.retryEnd(active, END_RETRY_MS);
        return;
      }
      if (!smallest) {
        // (Unless a concurrent attempt met the same refusal first and dropped it already.)
        if (!failing.refused) {
          const dropped = active.pending.size;
          active.pending.discard();
          failing.refused = true;
          failing.outcome = refusedOutcome(wanted, error, dropped);
          const fields = { turnId: active.turnId, dropped, error: describeRefusal(error) };
          // A failure that is no store error is a bug of ours on the way to the database: an error line.
          if (storeFailure(error)) this.deps.log.warn("the database refused a turn's output for good: dropping it and ending the turn", fields);
          else this.deps.log.error("a turn's output could not be stored: dropping it and ending the turn", fields);
        }
        await this.endRetrying(active, failing.outcome);
        return;
      }
      if (!failing.endRefused) {
        this.deps.log.error('the database refused the end of a turn for good: retrying every minute until it takes it', { turnId: active.turnId, error: describeRefusal(error) });
      }
      failing.endRefused = true;
      this.retryEnd(active, REFUSED_END_RETRY_MS);
    }
  }

  /** The turn's failing state; the first time, the engine is stopped: nothing it reports can be kept now. */
  private startFailing(active: ActiveTurn, wanted: TurnOutcome): NonNullable<ActiveTurn['failing']> {
    if (active.failing) return active.failing;
    active.abort.abort();
    active.engine?.interrupt();
    return (active.failing = { outcome: wanted });
  }

  private retryEnd(active: ActiveTurn, afterMs: number): void {
    const failing = active.failing!;
    if (failing.retry) clearTimeout(failing.retry);
    failing.retry = setTimeout(() => void this.endRetrying(active, failing.outcome), afterMs);
    failing.retry.unref();
  }

  /** Ends every running turn `interrupted` (queues kept): the server is going away. */
  async interruptAll(error: string): Promise<void> {
    await Promise.all([...this.active.values()].map((active) => this.endRetrying(active, { status: 'interrupted', error, usage: active.usage })));
  }
}
