import { ThreadlineError, type ParamsOf, type ThreadEvent, type ThreadlineClient } from '@threadline/protocol';
import type { Ledger } from './ledger.js';
import type { Rng } from './rng.js';

/** Error codes a well-behaved server gives to racing, mixed load (PROTOCOL.md §7; -32040 with several processes). */
const EXPECTED_CODES = new Set([-32004, -32010, -32011, -32012, -32013, -32014, -32015, -32020, -32040]);

/** What the load learns from events: a guess at each thread's state, good enough to pick calls. */
interface ThreadView {
  running?: string;
  latestTurn?: string;
  pending: Set<string>;
  archived: boolean;
}

export interface LoadStats {
  operations: number;
  answered: number;
  expectedErrors: number;
  /** How often each expected error code was answered. */
  codes: Record<number, number>;
}

const MAX_THREADS = 6;

/**
 * Mixed load on one server: queue, steer, edit, interrupt, drain, cancel, wait, archive,
 * compact and idempotent repeats, from several concurrent workers, with echo prompts that sleep, stream
 * slowly, fail, fail to start or hang. Stops at the first call after `stop()`; every failure
 * that a well-behaved server would not give is pushed to `violations`.
 */
export class Load {
  readonly stats: LoadStats = { operations: 0, answered: 0, expectedErrors: 0, codes: {} };
  private readonly views = new Map<string, ThreadView>();
  private stopped = false;

  constructor(
    private readonly client: ThreadlineClient,
    private readonly ledger: Ledger,
    private readonly rng: Rng,
    private readonly violations: string[],
    /** False: work only on the ledger's threads (several servers hammering the same ones). */
    private readonly createThreads = true,
  ) {
    for (const id of ledger.threads) this.views.set(id, { pending: new Set(), archived: false });
  }

  observe(event: ThreadEvent): void {
    const view = this.views.get(event.threadId);
    if (!view) return;
    const p = event.payload as { admission?: { id: string }; turn?: { id: string } };
    if (event.kind === 'prompt.admitted') view.pending.add(p.admission!.id);
    if (event.kind === 'prompt.promoted' || event.kind === 'prompt.cancelled') view.pending.delete(p.admission!.id);
    if (event.kind === 'turn.started') view.running = view.latestTurn = p.turn!.id;
    if (event.kind === 'turn.completed' && view.running === p.turn!.id) view.running = undefined;
    if (event.kind === 'thread.archived') view.archived = true;
    if (event.kind === 'thread.unarchived') view.archived = false;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Runs `workers` loops until stopped (or the connection dies, which is the same thing). */
  async run(workers: number): Promise<void> {
    if (this.views.size === 0) await this.call(() => this.createThread());
    await Promise.all(Array.from({ length: workers }, () => this.worker()));
  }

  private async worker(): Promise<void> {
    while (!this.stopped) await this.call(() => this.step());
  }

  private async call(op: () => Promise<void>): Promise<void> {
    this.stats.operations++;
    try {
      await op();
      this.stats.answered++;
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof ThreadlineError && EXPECTED_CODES.has(error.code)) {
        this.stats.expectedErrors++;
        this.stats.codes[error.code] = (this.stats.codes[error.code] ?? 0) + 1;
        return;
      }
      const code = error instanceof ThreadlineError ? ` ${error.code}` : '';
      this.violations.push(`unexpected error${code}: ${(error as Error).message}`);
      this.stopped = true;
    }
  }

  private step(): Promise<void> {
    const threadId = this.rng.pick([...this.views.keys()]);
    const view = this.views.get(threadId)!;
    const op = this.rng.weighted({
      start: 18, queue: 20, steer: 10, edit: 7, interrupt: 7, drain: 10, cancel: 6, wait: 6,
      events: 4, create: this.createThreads && this.views.size < MAX_THREADS ? 3 : 0, archive: view.archived ? 0 : 1,
      unarchive: view.archived ? 6 : 0, repeat: 4, update: 4, reorder: 4, compact: 3, fork: 2, revert: 2, unrevert: 1,
    });
    switch (op) {
      case 'start':
      case 'queue':
      case 'steer':
        return this.startTurn(threadId, view, op);
      case 'edit':
        return this.edit(threadId);
      case 'interrupt':
        return this.interrupt(threadId, view);
      case 'drain':
        return this.client.request('thread/drain', { threadId }).then(() => undefined);
      case 'cancel':
        return this.cancel(threadId, view);
      case 'wait':
        return view.latestTurn ? this.wait(view.latestTurn) : Promise.resolve();
      case 'events':
        return this.client.request('thread/events', { threadId, afterSeq: this.rng.int(0, 20) }).then(() => undefined);
      case 'create':
        return this.createThread();
      case 'archive':
      case 'unarchive':
        return this.client.request(op === 'archive' ? 'thread/archive' : 'thread/unarchive', { threadId }).then(() => undefined);
      case 'update':
        return this.updateQueued(threadId, view);
      case 'reorder':
        return this.reorderQueued(threadId, view);
      case 'repeat':
        return this.repeat();
      case 'compact':
        return this.compact(threadId);
      case 'fork':
        return this.fork(threadId);
      case 'revert':
        return view.latestTurn ? this.client.request('thread/revert', { threadId, beforeTurnId: view.latestTurn }).then(() => undefined) : Promise.resolve();
      case 'unrevert':
        return this.client.request('thread/unrevert', { threadId }).then(() => undefined);
    }
  }

  /** A fork (busy threads too): its copies commit with it; workers use it while there is room. */
  private async fork(threadId: string): Promise<void> {
    const depth = this.rng.chance(0.5) ? { depthFromTail: this.rng.int(0, 2) } : {};
    try {
      const { thread, copiedTurns } = await this.client.request('thread/fork', { threadId, ...depth });
      this.ledger.forks.set(thread.id, copiedTurns);
      if (this.createThreads && this.views.size < MAX_THREADS) {
        this.views.set(thread.id, { pending: new Set(), archived: false });
        this.ledger.threads.add(thread.id);
      }
    } catch (error) {
      // depthFromTail past the thread's user turns: -32602 naming it, an expected answer here.
      if (error instanceof ThreadlineError && error.code === -32602 && /depthFromTail/.test(error.message)) return;
      throw error;
    }
  }

  private async createThread(): Promise<void> {
    const { thread } = await this.client.request('thread/create', { title: `torture ${this.views.size}` });
    this.views.set(thread.id, { pending: new Set(), archived: false });
    this.ledger.threads.add(thread.id);
  }

  private async startTurn(threadId: string, view: ThreadView, op: 'start' | 'queue' | 'steer'): Promise<void> {
    const tag = this.ledger.tag();
    const params: ParamsOf<'thread/startTurn'> = { threadId, prompt: this.prompt(tag), clientRequestId: `c${tag}` };
    if (op !== 'start') params.delivery = op;
    if (op === 'steer' && view.running && this.rng.chance(0.5)) params.expectedTurnId = view.running;
    const sent = { params };
    this.ledger.sent.set(`c${tag}`, sent);
    await this.send(sent, tag);
  }

  /** Repeats a startTurn sent before (answered or lost in a kill) with the same clientRequestId. */
  private async repeat(): Promise<void> {
    const all = [...this.ledger.sent.entries()];
    if (all.length === 0) return;
    const [key, sent] = this.rng.pick(all);
    if (!this.views.has(sent.params.threadId)) return;
    await this.send(sent, Number(key.slice(1)));
  }

  private async send(sent: { params: ParamsOf<'thread/startTurn'>; answer?: { turnId: string; admissionId: string | null } }, tag: number): Promise<void> {
    const { turn, queued } = await this.client.request('thread/startTurn', sent.params);
    const answer = { turnId: turn.id, admissionId: queued?.id ?? null };
    if (sent.answer && (sent.answer.turnId !== answer.turnId || sent.answer.admissionId !== answer.admissionId)) {
      this.violations.push(`clientRequestId ${sent.params.clientRequestId} answered ${JSON.stringify(answer)}, first ${JSON.stringify(sent.answer)}`);
    }
    sent.answer ??= answer;
    this.ledger.ackedTags.add(tag);
    this.ledger.ackedTurns.add(turn.id);
    if (queued) {
      this.ledger.ackedAdmissions.add(queued.id);
      this.ledger.admissionTags.set(queued.id, tag);
    }
  }

  /** A new script for a pending prompt, under the same tag (so its admission is still found by it). */
  private async updateQueued(threadId: string, view: ThreadView): Promise<void> {
    const known = [...view.pending].filter((id) => this.ledger.admissionTags.has(id));
    if (known.length === 0) return;
    const admissionId = this.rng.pick(known);
    const prompt = this.prompt(this.ledger.admissionTags.get(admissionId)!);
    const update = this.ledger.updates.get(admissionId) ?? { prompts: new Set<string>(), acked: false };
    this.ledger.updates.set(admissionId, update);
    update.prompts.add(prompt); // before sending: a kill may land after the commit, before the answer
    await this.client.request('thread/updateQueued', { threadId, admissionId, prompt });
    update.acked = true;
  }

  /** The pending prompts in a shuffled order; a view gone stale meanwhile is refused with -32602 naming admissionIds. */
  private async reorderQueued(threadId: string, view: ThreadView): Promise<void> {
    const ids = [...view.pending];
    for (let i = ids.length - 1; i > 0; i--) {
      const j = this.rng.int(0, i);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    try {
      await this.client.request('thread/reorderQueued', { threadId, admissionIds: ids });
    } catch (error) {
      if (error instanceof ThreadlineError && error.code === -32602 && /admissionIds/.test(error.message)) return;
      throw error;
    }
  }

  /** A compaction whose instructions script the echo summariser: plain, slow, failing, failing to start or hanging. */
  private async compact(threadId: string): Promise<void> {
    const kind = this.rng.weighted({ plain: 10, stream: 6, fail: 3, failStart: 2, hang: 3 });
    const instructions = {
      plain: 'keep the tags',
      stream: `!word-delay ${this.rng.int(1, 20)}`,
      fail: '!fail torture summary says no',
      failStart: '!fail-start torture summary cannot start',
      hang: '!hang',
    }[kind];
    const { turn } = await this.client.request('thread/compact', { threadId, instructions });
    this.ledger.ackedTurns.add(turn.id);
  }

  private async edit(threadId: string): Promise<void> {
    const tag = this.ledger.tag();
    const before = await this.client.request('thread/get', { threadId });
    const { turn } = await this.client.request('thread/editLastTurn', { threadId, content: this.prompt(tag) });
    this.ledger.ackedTags.add(tag);
    this.ledger.ackedTurns.add(turn.id);
    // The superseded turn is the last live one; when nothing ran in between it is `latestTurnId`.
    const last = before.thread.latestTurnId;
    if (last) {
      const { turn: old } = await this.client.request('turn/get', { turnId: last });
      if (old.supersededBy === turn.id) this.ledger.superseded.set(last, turn.id);
    }
  }

  private async interrupt(threadId: string, view: ThreadView): Promise<void> {
    const params: ParamsOf<'thread/interrupt'> = { threadId, keepQueued: this.rng.chance(0.5) };
    if (view.running && this.rng.chance(0.3)) params.turnId = view.running;
    const { turn, cancelled } = await this.client.request('thread/interrupt', params);
    if (turn?.status === 'interrupted') this.ledger.interrupted.add(turn.id);
    for (const a of cancelled) this.ledger.cancelled.add(a.id);
  }

  private async cancel(threadId: string, view: ThreadView): Promise<void> {
    const pending = [...view.pending];
    if (pending.length === 0) return;
    const { admission } = await this.client.request('thread/cancelQueued', { threadId, admissionId: this.rng.pick(pending) });
    this.ledger.cancelled.add(admission.id);
  }

  private async wait(turnId: string): Promise<void> {
    await this.client.request('turn/wait', { turnId, timeoutMs: this.rng.int(10, 200) });
  }

  /** An echo script: sleeps, slow streams, failures, hangs, tool calls, or plain text. */
  private prompt(tag: number): string {
    const lines: string[] = [];
    const kind = this.rng.weighted({ plain: 20, sleep: 20, stream: 30, fail: 8, failStart: 6, hang: 8, tool: 4 });
    if (kind === 'sleep') lines.push(`!sleep ${this.rng.int(1, 60)}`);
    if (kind === 'stream') lines.push(`!word-delay ${this.rng.int(1, 4)}`, `!repeat ${this.rng.int(2, 30)}`);
    if (kind === 'fail') lines.push(`!word-delay ${this.rng.int(0, 3)}`, '!fail torture says no');
    if (kind === 'failStart') lines.push('!fail-start torture cannot start');
    if (kind === 'hang') lines.push('!hang');
    if (kind === 'tool') lines.push('!tool shell rm -rf /tmp/nothing');
    lines.push(`#t${tag}# words to echo back`);
    return lines.join('\n');
  }
}
