import { Methods, ThreadLeasedError, type ParsedParamsOf, type ThreadEvent } from '@threadline/protocol';
import { NO_PEER, type Peer } from '../turns/peer.js';
import type { OperationDeps } from './deps.js';
import { interrupt } from './interrupt.js';
import { drain } from './queue.js';

/** Events read per page when catching up on a running thread's log. */
const PAGE = 500;

export interface InterruptRequestResult {
  /** The turn stopped here, or asked to stop over there; null when none ran. */
  turnId: string | null;
  /** true: another live process runs it and was asked through the log (`turn.interruptRequested`). */
  requested: boolean;
}

/**
 * Stops a thread's running turn wherever it runs. Here (or a dead owner's, taken over): as
 * `thread/interrupt`. In another live process, which alone can stop its engine: a durable
 * `turn.interruptRequested` event in the thread's log, written only while that turn still runs;
 * that process reads it within a poll (PROTOCOL.md §11: 50 ms) and interrupts the turn itself.
 */
export async function requestInterrupt(d: OperationDeps, p: ParsedParamsOf<'thread/interrupt'>, peer: Peer): Promise<InterruptRequestResult> {
  try {
    const { turn } = await interrupt(d, p, peer);
    return { turnId: turn?.id ?? null, requested: false };
  } catch (error) {
    if (!(error instanceof ThreadLeasedError)) throw error;
  }
  return await d.commit(async (tx) => {
    const turnId = (await tx.threads.runState(p.threadId))?.runningTurnId ?? undefined;
    if (turnId === undefined || (p.turnId !== undefined && p.turnId !== turnId)) return { turnId: null, requested: false };
    await tx.emit(p.threadId, 'turn.interruptRequested', { turnId, keepQueued: p.keepQueued ?? false }, { turnId });
    return { turnId, requested: true };
  });
}

/**
 * The owner's side: while this process runs turns, it reads other processes' commits to their
 * threads' logs and honours a `turn.interruptRequested` for a turn it runs — interrupt, then
 * (keepQueued) start the oldest queued prompt, as an ACP cancel in this process would. Polling
 * happens only while a turn runs here; each running thread's log is read from its turn's start.
 */
export class InterruptRequestWatcher {
  /** Threads running a turn here → the turn and the last seq of its log already read. */
  private readonly running = new Map<string, { turnId: string; afterSeq: number }>();
  private unwatch: (() => void) | undefined;
  private reading: Promise<void> = Promise.resolve();
  /** A read is chained that has not begun yet. */
  private queued = false;

  constructor(private readonly d: OperationDeps) {
    d.bus.subscribe((event) => this.onOwnEvent(event));
  }

  private onOwnEvent(event: ThreadEvent): void {
    // This process's own events need no reading back: only other processes' are read.
    const watched = this.running.get(event.threadId);
    if (watched && event.seq === watched.afterSeq + 1) watched.afterSeq = event.seq;
    if (event.kind === 'turn.started') this.running.set(event.threadId, { turnId: event.payload.turn.id, afterSeq: event.seq });
    else if (event.kind === 'turn.completed' && this.running.get(event.threadId)?.turnId === event.payload.turn.id) this.running.delete(event.threadId);
    else return;
    if (this.running.size > 0 && !this.unwatch) this.unwatch = this.d.otherProcessCommits?.watch(() => this.check());
    if (this.running.size === 0 && this.unwatch) {
      this.unwatch();
      this.unwatch = undefined;
    }
  }

  /**
   * One read at a time: polls that arrive meanwhile are folded into the next, which has not begun
   * and so sees their commits too. (Chaining a read per poll let a busy fleet's commits queue
   * reads of every running thread faster than they ran: unbounded work and memory.)
   */
  private check(): void {
    if (this.queued) return;
    this.queued = true;
    this.reading = this.reading
      .then(() => {
        this.queued = false;
        return this.readAll();
      })
      .catch((error: unknown) => {
        this.d.log.warn('could not read interrupt requests', { error: (error as Error).message });
      });
  }

  /** Every running thread's new events in one read transaction (not one each); then honours what asks. */
  private async readAll(): Promise<void> {
    const requests = await this.d.store.read(async (tx) => {
      const found: { threadId: string; turnId: string; keepQueued: boolean }[] = [];
      for (const [threadId, watched] of [...this.running]) {
        for (;;) {
          const events = await tx.events.page(threadId, watched.afterSeq, PAGE);
          if (events.length > 0) watched.afterSeq = Math.max(watched.afterSeq, events.at(-1)!.seq);
          const request = events.find((e) => e.kind === 'turn.interruptRequested' && e.payload.turnId === watched.turnId);
          if (request?.kind === 'turn.interruptRequested') {
            found.push({ threadId, turnId: watched.turnId, keepQueued: request.payload.keepQueued });
            break;
          }
          if (events.length < PAGE) break;
        }
      }
      return found;
    });
    for (const { threadId, turnId, keepQueued } of requests) await this.honour(threadId, turnId, keepQueued);
  }

  private async honour(threadId: string, turnId: string, keepQueued: boolean): Promise<void> {
    const peer = this.d.runner.running(threadId)?.peer ?? NO_PEER;
    this.d.log.info('interrupting a turn at another process\'s request', { threadId, turnId });
    try {
      await interrupt(this.d, Methods['thread/interrupt'].params.parse({ threadId, turnId, keepQueued }), peer);
      if (keepQueued) await drain(this.d, Methods['thread/drain'].params.parse({ threadId }), peer);
    } catch (error) {
      // The turn ended meanwhile (-32014) or the lease moved on: nothing left to stop here.
      this.d.log.debug('interrupt request not applied', { threadId, turnId, error: (error as Error).message });
    }
  }
}
