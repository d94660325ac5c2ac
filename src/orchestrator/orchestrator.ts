import {
  AdmissionNotFoundError,
  TurnNotFoundError,
  type ParsedParamsOf,
  type ResultOf,
  type Thread,
  type Turn,
} from '@threadline/protocol';
import type { EngineHost, TurnInput } from '../host/port.js';
import type { Logger } from '../log.js';
import type { AdmissionOptions, StoredAdmission } from '../store/admissions.js';
import type { Store } from '../store/store.js';
import {
  decideDrain,
  decideEditLastTurn,
  decideInterrupt,
  decideRefusedSteer,
  decideStartTurn,
  shouldPromoteAfterEnd,
  type ThreadState,
} from './coordinator.js';
import { ChangeWatcher } from './change-watcher.js';
import { EngineCache } from './engines.js';
import { createCommitter, EventBus, GroupCommitter, type Commit, type Tx } from './events.js';
import { newId } from './ids.js';
import { Leases, type LeaseHolder } from './leases.js';
import { recoverInterruptedTurns, recoverTurn } from './recovery.js';
import { ThreadService } from './threads.js';
import type { ActiveTurn } from './active-turn.js';
import { TurnRunner, type ApprovalClient } from './turn-runner.js';
import { waitForTurnEnd } from './turn-wait.js';
import { checkPromptSize, refusal } from './refusals.js';
import { addUserMessage, admitForImmediateUse, admitPrompt, beginTurn, cancelAdmission, cancelPending, type TurnOutcome } from './turns.js';

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
  log: Logger;
}

/** A thread read inside the transaction that acts on it (a dead owner's turn recovered first). */
interface ThreadRead {
  thread: Thread;
  state: ThreadState;
  holder: LeaseHolder;
  /** The turn of a dead owner this read ended `interrupted` ("server restarted"). */
  recovered?: Turn;
}

/** A turn committed as begun, to be started on its engine once the transaction is over. */
interface BegunTurn {
  turn: Turn;
  thread: Thread;
  prompt: string;
  options: AdmissionOptions;
}

type StartTurnOutcome = { result: ResultOf<'thread/startTurn'>; begun?: BegunTurn };

/** The turn operations of PROTOCOL.md §4, each one decision + one transaction + (maybe) a launch. */
export class Orchestrator {
  readonly bus: EventBus;
  readonly threads: ThreadService;
  private readonly store: Store;
  private readonly commit: Commit;
  /** Admissions and other client writes that arrive together share one COMMIT. */
  private readonly group: GroupCommitter;
  private readonly engines: EngineCache;
  private readonly runner: TurnRunner;
  /** This process as an owner of leases on the file's threads. */
  readonly leases: Leases;
  /** Commits of other server processes on the same file (live tail, turn/wait on their turns). */
  readonly changes: ChangeWatcher;
  private approvalClient: ApprovalClient | undefined;
  private closed = false;

  constructor(private readonly o: OrchestratorOptions) {
    this.store = o.store;
    this.bus = new EventBus((error) => o.log.warn('an event listener failed', { error }));
    this.commit = createCommitter(o.store, this.bus);
    this.group = new GroupCommitter(o.store, this.bus);
    this.threads = new ThreadService(o.store, this.commit);
    this.leases = new Leases(o.store, o.leaseTtlMs, o.log, (held) => this.runner.abandonLost(held));
    this.changes = new ChangeWatcher(o.store, o.log);
    this.engines = new EngineCache({
      host: o.host,
      hostName: o.hostName,
      store: o.store,
      log: o.log,
      maxLoaded: o.maxLoadedEngines,
      isBusy: (threadId) => this.runner.running(threadId) !== undefined,
    });
    this.runner = new TurnRunner({
      store: o.store,
      commit: this.commit,
      engines: this.engines,
      hostName: o.hostName,
      log: o.log,
      approvalClient: () => this.approvalClient,
      approvalTimeoutMs: o.approvalTimeoutMs,
      maxItemBytes: o.maxItemBytes,
      ownsTurn: (threadId, turnId) => this.leases.holds(threadId, turnId),
      onTurnEnded: (threadId, status) => {
        if (status !== 'interrupted') setImmediate(() => this.promoteNext(threadId));
      },
    });
  }

  /** Tells group commit how many received requests still wait for dispatch (it waits for them). */
  setInputBacklog(backlog: () => number): void {
    this.group.backlog = backlog;
  }

  setApprovalClient(client: ApprovalClient | undefined): void {
    this.approvalClient = client;
  }

  /**
   * Start-up: ends the turns of dead owners — never one another live process runs — then
   * records this process as an owner (heartbeat on).
   */
  recover(): number {
    const isOwnerDead = (threadId: string, now: string) => this.leases.holderOf(threadId, now).kind === 'dead';
    const recovered = recoverInterruptedTurns(this.store, this.commit, this.o.maxItemBytes, isOwnerDead);
    this.leases.register();
    return recovered;
  }

  /**
   * Reads the thread inside the transaction that acts on it. A running turn whose owner is dead
   * (lease expired, or its process on this host gone) is recovered first, in the same
   * transaction: this process takes the thread over.
   */
  private readThread(tx: Tx, threadId: string): ThreadRead {
    let thread = this.threads.require(threadId);
    let holder = this.leases.holderOf(threadId, tx.now);
    let recovered: Turn | undefined;
    if (holder.kind === 'dead') {
      recovered = recoverTurn(tx, this.store, this.store.findTurn(holder.turnId)!, this.o.maxItemBytes);
      this.o.log.info('took over a thread whose owner is gone', { threadId, turnId: holder.turnId });
      thread = this.threads.require(threadId);
      holder = { kind: 'none' };
    }
    const state: ThreadState = {
      archived: thread.archived,
      runningTurnId: thread.status === 'running' ? (thread.latestTurnId ?? null) : null,
      pendingCount: thread.queuedCount,
      leasedElsewhere: holder.kind === 'live',
    };
    return { thread, state, holder, recovered };
  }

  async startTurn(p: ParsedParamsOf<'thread/startTurn'>): Promise<ResultOf<'thread/startTurn'>> {
    checkPromptSize('prompt', p.prompt, this.o.maxPromptBytes);
    const options = this.admissionOptions(p, p.inputSummary);
    const outcome = await this.group.run((tx): StartTurnOutcome => {
      const thread = this.threads.require(p.threadId);
      if (p.clientRequestId !== undefined) {
        const first = this.store.findClientRequest(thread.id, p.clientRequestId);
        if (first) {
          const turn = this.store.findTurn(first.turnId)!;
          return { result: { turn, queued: first.queued ? this.store.findAdmission(first.admissionId)! : null } };
        }
      }
      const { state: s, holder } = this.readThread(tx, thread.id);
      const command = { delivery: p.delivery, expectedTurnId: p.expectedTurnId, hostSupportsSteer: this.o.hostSupportsSteer, maxQueued: this.o.maxQueued };
      let decision = decideStartTurn(s, command);
      const remember = (turnId: string, admissionId: string, queued: boolean) => {
        if (p.clientRequestId !== undefined) {
          this.store.insertClientRequest(thread.id, p.clientRequestId, { turnId, admissionId, queued }, tx.now);
        }
      };
      const input = { threadId: thread.id, prompt: p.prompt, options };
      if (decision.action === 'steer') {
        const active = this.runner.running(thread.id);
        if (active && this.runner.steer(active, p.prompt)) {
          const stored = admitForImmediateUse(tx, this.store, { ...input, delivery: 'steer' });
          const seq = this.store.lastSeq(thread.id)! + 1;
          this.store.markPromoted(stored.admission.id, seq, active.turnId);
          const admission = this.store.findAdmission(stored.admission.id)!;
          tx.emit(thread.id, 'prompt.promoted', { admission, turnId: active.turnId }, { turnId: active.turnId });
          addUserMessage(tx, this.store, thread.id, active.turnId, p.prompt);
          this.store.countSteer(active.turnId);
          remember(active.turnId, admission.id, false);
          return { result: { turn: this.store.findTurn(active.turnId)!, queued: null } };
        }
        decision = decideRefusedSteer(s, this.o.maxQueued);
      }
      switch (decision.action) {
        case 'reject':
          throw refusal(decision.error, thread, holder, this.o.maxQueued, p.expectedTurnId);
        case 'enqueue': {
          const queued = admitPrompt(tx, this.store, { ...input, delivery: p.delivery ?? 'queue' });
          remember(s.runningTurnId!, queued.id, true);
          return { result: { turn: this.store.findTurn(s.runningTurnId!)!, queued } };
        }
        case 'startNow': {
          const stored = admitForImmediateUse(tx, this.store, { ...input, delivery: 'queue' });
          const turn = beginTurn(tx, this.store, stored, this.leases.grant(tx.now));
          remember(turn.id, stored.admission.id, false);
          return { result: { turn, queued: null }, begun: { turn, thread, prompt: p.prompt, options } };
        }
        case 'enqueueAndPromoteOldest': {
          const queued = admitPrompt(tx, this.store, { ...input, delivery: 'queue' });
          const oldest = this.store.findOldestPending(thread.id)!;
          const turn = beginTurn(tx, this.store, oldest, this.leases.grant(tx.now));
          remember(turn.id, queued.id, true);
          return {
            result: { turn, queued: this.store.findAdmission(queued.id)! },
            begun: { turn, thread, prompt: oldest.admission.prompt, options: oldest.options },
          };
        }
        default:
          throw new Error(`unhandled decision ${decision.action}`);
      }
    });
    if (outcome.begun) await this.launch(outcome.begun);
    return outcome.result;
  }

  async editLastTurn(p: ParsedParamsOf<'thread/editLastTurn'>): Promise<ResultOf<'thread/editLastTurn'>> {
    checkPromptSize('content', p.content, this.o.maxPromptBytes);
    const options = this.admissionOptions(p);
    const { begun, superseded } = await this.group.run((tx) => {
      const { thread, state, holder } = this.readThread(tx, p.threadId);
      const last = this.store.findLastLiveTurn(thread.id);
      const decision = decideEditLastTurn(state, last !== undefined);
      if (decision.action === 'reject') throw refusal(decision.error, thread, holder, this.o.maxQueued);
      const turnId = newId('turn');
      this.store.markSuperseded(last!.id, turnId);
      tx.emit(thread.id, 'turn.superseded', { turnId: last!.id, supersededBy: turnId });
      // After turn.superseded: an admission's admittedSeq is the seq of its prompt.promoted.
      const stored = admitForImmediateUse(tx, this.store, { threadId: thread.id, prompt: p.content, delivery: 'queue', options });
      const turn = beginTurn(tx, this.store, stored, this.leases.grant(tx.now), turnId);
      return { begun: { turn, thread, prompt: p.content, options }, superseded: last! };
    });
    // The engine forgets every user message of the superseded turn (its prompt and its steers).
    const engine = this.engines.peek(p.threadId);
    for (let i = 0; engine && i <= superseded.steerCount; i++) engine.truncateBeforeLastUserMessage();
    await this.launch(begun);
    return { turn: begun.turn, queued: null };
  }

  async drain(p: ParsedParamsOf<'thread/drain'>): Promise<ResultOf<'thread/drain'>> {
    const { begun, remaining } = await this.group.run((tx) => {
      const { thread, state, holder } = this.readThread(tx, p.threadId);
      const decision = decideDrain(state);
      if (decision.action === 'reject') throw refusal(decision.error, thread, holder, this.o.maxQueued);
      const started = decision.action === 'none' ? undefined : this.promoteOldest(tx, thread);
      return { begun: started, remaining: this.store.countPending(thread.id) };
    });
    if (begun) await this.launch(begun);
    return { turn: begun?.turn ?? null, remaining };
  }

  /** Decided and recorded in one transaction; the engine is told to stop after the commit. */
  interrupt(p: ParsedParamsOf<'thread/interrupt'>): ResultOf<'thread/interrupt'> {
    let ended: { active: ActiveTurn; outcome: TurnOutcome; result: ReturnType<TurnRunner['writeEnd']> } | undefined;
    const result = this.commit((tx): ResultOf<'thread/interrupt'> => {
      const { thread, state: s, holder, recovered } = this.readThread(tx, p.threadId);
      if (p.turnId !== undefined && !this.store.findTurn(p.turnId)) throw new TurnNotFoundError(p.turnId);
      // A dead owner's turn was just ended "server restarted": that is the turn this call stopped.
      if (recovered && (p.turnId === undefined || p.turnId === recovered.id)) {
        return { turn: recovered, cancelled: p.keepQueued ? [] : cancelPending(tx, this.store, thread.id) };
      }
      const decision = decideInterrupt(s, p.turnId);
      if (decision.action === 'reject') throw refusal(decision.error, thread, holder, this.o.maxQueued, p.turnId);
      if (decision.action === 'none') return { turn: null, cancelled: [] };
      const active = this.runner.running(thread.id) ?? this.runner.register(this.store.findTurn(s.runningTurnId!)!, false);
      const outcome: TurnOutcome = { status: 'interrupted', usage: active.usage };
      const written = this.runner.writeEnd(tx, active, outcome, !p.keepQueued);
      ended = { active, outcome, result: written };
      return written ?? { turn: this.store.findTurn(s.runningTurnId!)!, cancelled: [] };
    });
    if (ended) this.runner.settleEnd(ended.active, ended.outcome, ended.result);
    return result;
  }

  deleteThread(threadId: string): ResultOf<'thread/delete'> {
    const result = this.threads.delete(threadId);
    void this.engines.drop(threadId);
    return result;
  }

  cancelQueued(p: ParsedParamsOf<'thread/cancelQueued'>): Promise<ResultOf<'thread/cancelQueued'>> {
    return this.group.run((tx) => {
      this.threads.require(p.threadId);
      const found = this.store.findAdmission(p.admissionId);
      if (!found || found.threadId !== p.threadId) throw new AdmissionNotFoundError(p.admissionId);
      if (found.state !== 'pending') throw new AdmissionNotFoundError(p.admissionId, `no longer pending (${found.state})`);
      return { admission: cancelAdmission(tx, this.store, p.admissionId)! };
    });
  }

  waitForTurn(p: ParsedParamsOf<'turn/wait'>): Promise<ResultOf<'turn/wait'>> {
    return waitForTurnEnd(
      { store: this.store, bus: this.bus, changes: this.changes, runsHere: (threadId, turnId) => this.runner.running(threadId)?.turnId === turnId },
      p,
    );
  }

  /** Stop accepting work: running turns end `interrupted`, queues stay for the next start. */
  async shutdown(reason = 'server shutting down'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.runner.interruptAll(reason);
    this.changes.stop();
    await this.engines.dropAll();
    this.leases.release();
  }

  private promoteOldest(tx: Tx, thread: Thread): BegunTurn | undefined {
    const oldest: StoredAdmission | undefined = this.store.findOldestPending(thread.id);
    if (!oldest) return undefined;
    const turn = beginTurn(tx, this.store, oldest, this.leases.grant(tx.now));
    return { turn, thread, prompt: oldest.admission.prompt, options: oldest.options };
  }

  /** Queued prompts run FIFO as each turn ends. */
  private promoteNext(threadId: string): void {
    if (this.closed) return;
    try {
      const begun = this.commit((tx) => {
        if (!this.store.findThreadState(threadId)) return undefined;
        const { thread, state } = this.readThread(tx, threadId);
        if (!shouldPromoteAfterEnd('completed', state)) return undefined;
        return this.promoteOldest(tx, thread);
      });
      if (begun) this.launch(begun).catch(() => undefined); // a host failure is recorded on the turn
    } catch (error) {
      this.o.log.error('could not promote the next queued prompt', { threadId, error });
    }
  }

  private async launch(b: BegunTurn): Promise<void> {
    const autoApprove = b.options.autoApprove ?? b.thread.autoApprove;
    const active = this.runner.register(b.turn, autoApprove);
    const input: TurnInput = {
      turnId: b.turn.id,
      prompt: b.prompt,
      model: b.turn.model,
      mode: b.options.mode ?? b.thread.mode,
      systemPrompt: b.thread.systemPrompt,
      temperature: b.options.temperature,
      topP: b.options.topP,
      maxTokens: b.options.maxTokens,
      allowShell: b.options.allowShell,
      trustMode: b.options.trustMode ?? b.thread.trustMode,
    };
    await this.runner.launch(active, b.thread, input);
  }

  private admissionOptions(
    p: Omit<ParsedParamsOf<'thread/editLastTurn'>, 'threadId' | 'content'>,
    inputSummary?: string,
  ): AdmissionOptions {
    const routed = p.routeIntent !== undefined ? this.store.modelForIntent(p.routeIntent) : undefined;
    return {
      inputSummary,
      model: routed ?? p.model,
      mode: p.mode,
      temperature: p.temperature,
      topP: p.topP,
      maxTokens: p.maxTokens,
      autoApprove: p.autoApprove,
      trustMode: p.trustMode,
      allowShell: p.allowShell,
    };
  }
}
