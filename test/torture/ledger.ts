import type { ParamsOf, ThreadEvent } from '@threadline/protocol';

/** Every tagged prompt carries `#t<N>#`, so its admission can be found again by its text. */
export const TAG_PATTERN = /#t(\d+)#/g;

/** A startTurn sent with a clientRequestId, kept so that it can be repeated (answered or not). */
export interface SentStartTurn {
  params: ParamsOf<'thread/startTurn'>;
  /** The first answer, when one arrived. */
  answer?: { turnId: string; admissionId: string | null };
}

/**
 * What the clients were told, across every server incarnation: each acknowledgement here must
 * hold in the database after any kill.
 */
export class Ledger {
  readonly threads = new Set<string>();
  /** Tags of prompts (startTurn / editLastTurn) whose call was answered with success. */
  readonly ackedTags = new Set<number>();
  readonly ackedTurns = new Set<string>();
  /** Admissions a client saw in a result as pending (startTurn's `queued`). */
  readonly ackedAdmissions = new Set<string>();
  /** Admissions a client was told are cancelled (cancelQueued, interrupt). */
  readonly cancelled = new Set<string>();
  /** Turns a client was told ended `interrupted` by its interrupt. */
  readonly interrupted = new Set<string>();
  /** superseded turn → the new turn (editLastTurn results). */
  readonly superseded = new Map<string, string>();
  readonly sent = new Map<string, SentStartTurn>();
  /** The tag of each admission a startTurn answered as queued (updateQueued keeps the tag). */
  readonly admissionTags = new Map<string, number>();
  /** fork thread → how many turns its acknowledged thread/fork said it copied. */
  readonly forks = new Map<string, number>();
  /** admission → every prompt an updateQueued sent for it, and whether one was acknowledged. */
  readonly updates = new Map<string, { prompts: Set<string>; acked: boolean }>();
  private nextTag = 1;

  tag(): number {
    return this.nextTag++;
  }
}

/** The events one client received from one server process, per thread, in arrival order. */
export class Received {
  readonly byThread = new Map<string, ThreadEvent[]>();

  add(event: ThreadEvent): void {
    let list = this.byThread.get(event.threadId);
    if (!list) this.byThread.set(event.threadId, (list = []));
    list.push(event);
  }
}
