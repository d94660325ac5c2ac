import type { Admission, Item, Turn, TurnStatus, Usage } from '@threadline/protocol';
import type { AdmissionOptions, LeaseGrant, StoredAdmission } from '../../store/port.js';
import type { Tx } from '../commit/tx.js';
import { summarize } from '../decide/summarize.js';
import { newId } from '../ids.js';

/**
 * The transactional steps of a turn's life. Each runs inside a caller's transaction, writes rows
 * and appends their events; none of them awaits anything.
 */

export interface PromptInput {
  threadId: string;
  prompt: string;
  delivery: 'queue' | 'steer';
  options: AdmissionOptions;
}

/** Puts a prompt in the inbox as pending; `admittedSeq` is the seq of its `prompt.admitted`. */
export function admitPrompt(tx: Tx, input: PromptInput): Admission {
  const id = newId('admission');
  tx.admissions.insert({ id, ...input, admittedSeq: tx.peekSeq(input.threadId), now: tx.now });
  const admission = tx.admissions.find(id)!;
  tx.emit(input.threadId, 'prompt.admitted', { admission });
  return admission;
}

/**
 * Records an admission the same transaction promotes (no `prompt.admitted`): its `admittedSeq`
 * is the seq of the `prompt.promoted` that follows.
 */
export function admitForPromotion(tx: Tx, input: PromptInput): StoredAdmission {
  const id = newId('admission');
  tx.admissions.insert({ id, ...input, admittedSeq: tx.peekSeq(input.threadId), now: tx.now });
  return { admission: tx.admissions.find(id)!, options: input.options };
}

/**
 * Promotes a pending admission into a new running turn. Events, in PROTOCOL.md §5's order:
 * `prompt.promoted`, `turn.started`, `item.started` and `item.completed` of the user message.
 * The turn is leased to `lease.owner` in the same transaction.
 */
export function beginTurn(tx: Tx, stored: StoredAdmission, lease: LeaseGrant, turnId = newId('turn')): Turn {
  const { admission, options } = stored;
  const threadId = admission.threadId;
  const promotedSeq = tx.peekSeq(threadId);
  tx.admissions.markPromoted(admission.id, promotedSeq, turnId);
  tx.emit(threadId, 'prompt.promoted', { admission: tx.admissions.find(admission.id)!, turnId }, { turnId });
  const { inputSummary, model, ...turnOptions } = options;
  tx.turns.insert({
    id: turnId,
    threadId,
    inputSummary: inputSummary ?? summarize(admission.prompt),
    // A queued prompt without a model of its own runs on the thread's model at promotion time.
    model: model ?? tx.threads.find(threadId)?.model,
    options: turnOptions,
    now: tx.now,
    startSeq: promotedSeq,
  });
  tx.threads.setRunningTurn(threadId, turnId, tx.now, lease);
  tx.emit(threadId, 'turn.started', { turn: tx.turns.find(turnId)! }, { turnId });
  addUserMessage(tx, threadId, turnId, admission.prompt);
  return tx.turns.find(turnId)!;
}

/**
 * Begins a compaction turn (`thread/compact`): `turn.started`, no admission, no user message.
 * The turn is leased to `lease.owner` in the same transaction.
 */
export function beginCompaction(tx: Tx, threadId: string, inputSummary: string, lease: LeaseGrant, turnId = newId('turn')): Turn {
  tx.turns.insert({
    id: turnId,
    threadId,
    kind: 'compaction',
    inputSummary,
    model: tx.threads.find(threadId)?.model,
    options: {},
    now: tx.now,
    startSeq: tx.peekSeq(threadId),
  });
  tx.threads.setRunningTurn(threadId, turnId, tx.now, lease);
  const turn = tx.turns.find(turnId)!;
  tx.emit(threadId, 'turn.started', { turn }, { turnId });
  return turn;
}

/** A user message item of `turnId`: `item.started` then `item.completed`. */
export function addUserMessage(tx: Tx, threadId: string, turnId: string, text: string): Item {
  const itemId = newId('item');
  const summary = summarize(text);
  const started = tx.items.insert({ id: itemId, turnId, threadId, kind: 'user_message', status: 'in_progress', summary: '', now: tx.now });
  tx.emit(threadId, 'item.started', { item: { ...started, detail: text, summary } }, { turnId, itemId });
  const item = tx.items.finish(itemId, { status: 'completed', detail: text, summary, endedAt: tx.now });
  tx.emit(threadId, 'item.completed', { item }, { turnId, itemId });
  return item;
}

export interface TurnOutcome {
  status: Exclude<TurnStatus, 'in_progress'>;
  error?: string;
  usage?: Usage;
}

/**
 * Ends a turn: closes its open items (their text so far kept; `metadata.interrupted` when cut
 * short), records the outcome, frees the thread and emits `turn.completed` — the turn's last
 * event. Returns undefined when the turn had already ended.
 */
export function finishTurn(
  tx: Tx,
  turnId: string,
  outcome: TurnOutcome,
  openItemText: (itemId: string) => { text: string; truncated: boolean },
): Turn | undefined {
  const before = tx.turns.find(turnId);
  if (!before || before.status !== 'in_progress') return undefined;
  for (const item of tx.items.listOpenOfTurn(turnId)) {
    const cut = outcome.status !== 'completed';
    const { text, truncated } = openItemText(item.id);
    const metadata = { ...item.metadata, ...(cut ? { interrupted: true } : {}), ...(truncated ? { truncated: true } : {}) };
    const closed = tx.items.finish(item.id, {
      status: outcome.status === 'failed' ? 'failed' : 'completed',
      detail: text,
      summary: summarize(text),
      metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
      endedAt: tx.now,
    });
    tx.emit(before.threadId, 'item.completed', { item: closed }, { turnId, itemId: item.id });
  }
  const startedMs = Date.parse(before.startedAt ?? before.createdAt);
  tx.turns.finish(turnId, {
    status: outcome.status,
    endedAt: tx.now,
    durationMs: Math.max(0, Date.parse(tx.now) - startedMs),
    usage: outcome.usage,
    error: outcome.error,
  });
  tx.threads.clearRunningTurn(before.threadId, turnId, tx.now);
  // A completed compaction changes what an engine sees (its summary replaces what came before):
  // a loaded engine, here or in another process, is rebuilt from visible history before its next turn.
  if (before.kind === 'compaction' && outcome.status === 'completed') tx.threads.bumpHistoryRev(before.threadId);
  const turn = tx.turns.find(turnId)!;
  tx.emit(before.threadId, 'turn.completed', { turn }, { turnId });
  return turn;
}

/** Cancels every pending admission of the thread, `prompt.cancelled` each, oldest first. */
export function cancelPending(tx: Tx, threadId: string): Admission[] {
  return tx.admissions.listPending(threadId).map((pending) => cancelAdmission(tx, pending.id)!);
}

export function cancelAdmission(tx: Tx, admissionId: string): Admission | undefined {
  if (!tx.admissions.markCancelled(admissionId)) return undefined;
  const admission = tx.admissions.find(admissionId)!;
  tx.emit(admission.threadId, 'prompt.cancelled', { admission });
  return admission;
}
