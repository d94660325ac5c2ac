import { RequestError, type PromptResponse, type SessionUpdate } from '@agentclientprotocol/sdk';
import { Methods, ThreadLeasedError, type Admission, type ThreadEvent, type Turn } from '@threadline/protocol';
import { ThreadEventPump, type Orchestrator, type Peer } from '../orchestrator/api.js';
import { TurnUpdates } from './updates.js';

export interface PromptDeps {
  orchestrator: Orchestrator;
  /** The connection: asked for the approvals of the turn this prompt starts. */
  peer: Peer;
  /** Sends one session/update; resolves once written (updates are awaited before the answer). */
  send: (update: SessionUpdate) => Promise<void>;
}

/** How a run's turn is admitted: a prompt (startTurn with delivery `queue`) or an edit (editLastTurn). */
export type Admit = (deps: PromptDeps, sessionId: string) => Promise<{ turn: Turn; queued: Admission | null }>;

/** `session/prompt`: queued behind a running turn, never refused for one. */
export const promptAdmission = (prompt: string): Admit => (deps, threadId) =>
  deps.orchestrator.startTurn(Methods['thread/startTurn'].params.parse({ threadId, prompt, delivery: 'queue' }), deps.peer);

/**
 * One `session/prompt` (or `_threadline/edit_last_turn`): admitted with delivery `queue` (it runs now, or after the running turn),
 * then answered when *its own* turn ends. Events are buffered from before the admission, so
 * nothing published while startTurn commits is missed.
 */
export class PromptRun {
  /** The turn this prompt runs as, once admitted and promoted. */
  turnId: string | undefined;
  private admissionId: string | undefined;
  private cancelRequested = false;
  /** For an edit: the turn it superseded (from `turn.superseded`), named in the answer's `_meta`. */
  private supersededTurnId: string | undefined;
  private readonly buffered: ThreadEvent[] = [];
  /** The thread's events in log order, from the bus and (for other processes' commits) the log. */
  private readonly pump: ThreadEventPump;
  private readonly updates = new TurnUpdates();
  private written: Promise<void> = Promise.resolve();
  private settle!: (outcome: { turn?: Turn; cancelled?: true }) => void;
  private readonly ended = new Promise<{ turn?: Turn; cancelled?: true }>((resolve) => (this.settle = resolve));
  /** Resolves once the admission is known, or the run ended (or will never be admitted). */
  private markAdmitted!: () => void;
  readonly admitted = new Promise<void>((resolve) => (this.markAdmitted = resolve));
  /** The stop asked for by a cancel (once: the turn or the admission known at the time). */
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly deps: PromptDeps,
    readonly sessionId: string,
  ) {
    this.pump = new ThreadEventPump(
      (after, limit) => deps.orchestrator.eventsAfter(sessionId, after, limit),
      (event) => this.onEvent(event),
      // The thread was deleted: nothing more will come for this prompt.
      () => this.settle({ cancelled: true }),
    );
  }

  /**
   * The answer: its stop reason, and Threadline's turn id and usage in `_meta.threadline` (stable
   * ACP v1 has no usage field in the answer, and `usage_update` needs a context window size).
   */
  async run(admit: Admit): Promise<PromptResponse> {
    const { orchestrator } = this.deps;
    // Listening before the log's end is read: what is published meanwhile waits in the pump.
    const unsubscribe = orchestrator.onEvent((event) => {
      if (event.threadId === this.sessionId) this.pump.push(event);
    });
    // Another process on the database may promote and run this prompt (ACP.md trap 11): its
    // commits are read from the shared log, so the prompt is still answered here.
    const unwatch = orchestrator.onOtherProcessCommit(() => this.pump.catchUp());
    try {
      // Cancelled before it was admitted: nothing is admitted (it could start on an idle thread).
      if (this.cancelRequested) return { stopReason: 'cancelled', _meta: { threadline: { turnId: null } } };
      this.pump.start((await orchestrator.eventBacklog(this.sessionId, undefined, 1)).lastSeq);
      if (this.cancelRequested) return { stopReason: 'cancelled', _meta: { threadline: { turnId: null } } };
      const { turn, queued } = await admit(this.deps, this.sessionId);
      if (queued) this.admissionId = queued.id;
      else this.turnId = turn.id;
      for (const event of this.buffered.splice(0)) this.onEvent(event);
      // A cancel that overtook the admission stops it now (cancel() waits for `admitted`).
      this.markAdmitted();
      const outcome = await this.ended;
      for (const update of this.updates.finish()) this.emit(update);
      await this.written;
      const end = outcome.turn;
      const superseded = this.supersededTurnId !== undefined ? { supersededTurnId: this.supersededTurnId } : {};
      const _meta = { threadline: { turnId: end?.id ?? this.turnId ?? null, ...superseded, ...(end?.usage ? { usage: end.usage } : {}) } };
      if (outcome.cancelled || this.cancelRequested || end!.status === 'interrupted') return { stopReason: 'cancelled', _meta };
      if (end!.status === 'completed') return { stopReason: 'end_turn', _meta };
      throw new RequestError(-32603, `turn ${end!.id} failed: ${end!.error ?? 'unknown error'}`, { turnId: end!.id, error: end!.error ?? null });
    } finally {
      this.markAdmitted();
      this.pump.stop();
      unsubscribe();
      unwatch();
    }
  }

  /**
   * session/cancel or $/cancel_request: the prompt answers `cancelled`, whatever the turn does.
   * Resolves once its turn or admission has been asked to stop — for a prompt whose admission
   * is still being committed, once that admission exists (whatever the store's latency).
   */
  cancel(): Promise<void> {
    this.flagCancelled();
    return this.admitted.then(() => (this.stopping ??= this.interrupt()));
  }

  /** Marks the prompt cancelled at once (it will not be admitted if not yet on its way); `cancel` stops it. */
  flagCancelled(): void {
    this.cancelRequested = true;
  }

  /** The request ended before `run` was called (e.g. the session was not found): nothing to wait for. */
  abandon(): void {
    this.markAdmitted();
  }

  /**
   * Stops only what is this prompt's: its own turn (queued prompts kept: each pending prompt of
   * the session cancels its own admission), or its admission while it still waits.
   */
  private async interrupt(): Promise<void> {
    const { orchestrator } = this.deps;
    const threadId = this.sessionId;
    // Else the turn ended meanwhile: its end event answers the prompt.
    const failed = (error: unknown) => this.leasedElsewhere(error);
    if (this.turnId !== undefined) {
      // Another live process may run it (it promoted this prompt): it is asked through the log.
      const params = Methods['thread/interrupt'].params.parse({ threadId, turnId: this.turnId, keepQueued: true });
      await orchestrator.requestInterrupt(params, this.deps.peer).then(({ requested }) => this.requestedElsewhere(requested), failed);
    } else if (this.admissionId !== undefined) {
      const params = Methods['thread/cancelQueued'].params.parse({ threadId, admissionId: this.admissionId });
      // Promoted meanwhile: its turn is interrupted once its prompt.promoted is read.
      await orchestrator.cancelQueued(params, this.deps.peer).catch(failed);
    }
  }

  /**
   * The turn runs in another live process, now asked to stop it: the prompt answers `cancelled`
   * at once, as ACP requires, without waiting for that process's next poll.
   */
  private requestedElsewhere(requested: boolean): void {
    if (requested) this.settle({ cancelled: true });
  }

  /** The turn's lease moved to another process between the request's two transactions: answer now. */
  private leasedElsewhere(error: unknown): void {
    if (error instanceof ThreadLeasedError) this.settle({ cancelled: true });
  }

  private onEvent(event: ThreadEvent): void {
    if (this.turnId === undefined && this.admissionId === undefined) {
      this.buffered.push(event);
      return;
    }
    if (this.turnId === undefined) {
      if (event.kind === 'prompt.promoted' && event.payload.admission.id === this.admissionId) {
        this.turnId = event.payload.turnId;
        if (this.cancelRequested) queueMicrotask(() => void this.interrupt()); // promoted before its cancel landed
      }
      else if (event.kind === 'prompt.cancelled' && event.payload.admission.id === this.admissionId) this.settle({ cancelled: true });
      return;
    }
    if (event.kind === 'turn.superseded' && event.payload.supersededBy === this.turnId) this.supersededTurnId = event.payload.turnId;
    if (event.turnId !== this.turnId) return;
    if (event.kind === 'turn.completed') {
      this.settle({ turn: event.payload.turn });
      return;
    }
    for (const update of this.updates.map(event)) this.emit(update);
  }

  private emit(update: SessionUpdate): void {
    const send = this.deps.send(update);
    this.written = this.written.then(() => send).catch(() => undefined);
  }
}
