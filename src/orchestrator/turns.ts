import type { Admission, Item, Turn, TurnStatus, Usage } from '@threadline/protocol';
import type { AdmissionOptions, StoredAdmission } from '../store/admissions.js';
import { summarize } from '../store/items.js';
import type { Store } from '../store/store.js';
import type { Tx } from './events.js';
import { newId } from './ids.js';

/**
 * The transactional steps of a turn's life. Each runs inside a caller's `commit`, writes rows
 * and appends their events; none of them awaits anything.
 */

export interface PromptInput {
  threadId: string;
  prompt: string;
  delivery: 'queue' | 'steer';
  options: AdmissionOptions;
}

/** Puts a prompt in the inbox as pending; `admittedSeq` is the seq of its `prompt.admitted`. */
export function admitPrompt(tx: Tx, store: Store, input: PromptInput): Admission {
  const id = newId('admission');
  store.insertAdmission({ id, ...input, admittedSeq: store.lastSeq(input.threadId)! + 1, now: tx.now });
  const admission = store.findAdmission(id)!;
  tx.emit(input.threadId, 'prompt.admitted', { admission });
  return admission;
}

/** Records an admission that is promoted in the same transaction (no `prompt.admitted`). */
export function admitForImmediateUse(tx: Tx, store: Store, input: PromptInput): StoredAdmission {
  const id = newId('admission');
  store.insertAdmission({ id, ...input, admittedSeq: store.lastSeq(input.threadId)! + 1, now: tx.now });
  return { admission: store.findAdmission(id)!, options: input.options };
}

/**
 * Promotes a pending admission into a new running turn. Events, in PROTOCOL.md §5's order:
 * `prompt.promoted`, `turn.started`, `item.started` and `item.completed` of the user message.
 * The turn is leased to `lease.owner` in the same transaction.
 */
export function beginTurn(
  tx: Tx,
  store: Store,
  stored: StoredAdmission,
  lease: { owner: string; expiresAt: string },
  turnId = newId('turn'),
): Turn {
  const { admission, options } = stored;
  const threadId = admission.threadId;
  const promotedSeq = store.lastSeq(threadId)! + 1;
  store.markPromoted(admission.id, promotedSeq, turnId);
  tx.emit(threadId, 'prompt.promoted', { admission: store.findAdmission(admission.id)!, turnId }, { turnId });
  const { inputSummary, model, ...turnOptions } = options;
  store.insertTurn({
    id: turnId,
    threadId,
    inputSummary: inputSummary ?? summarize(admission.prompt),
    // A queued prompt without a model of its own runs on the thread's model at promotion time.
    model: model ?? store.findThread(threadId)?.model,
    options: turnOptions,
    now: tx.now,
    startSeq: promotedSeq,
  });
  store.setRunningTurn(threadId, turnId, tx.now, lease);
  tx.emit(threadId, 'turn.started', { turn: store.findTurn(turnId)! }, { turnId });
  addUserMessage(tx, store, threadId, turnId, admission.prompt);
  return store.findTurn(turnId)!;
}

/** A user message item of `turnId`: `item.started` then `item.completed`. */
export function addUserMessage(tx: Tx, store: Store, threadId: string, turnId: string, text: string): Item {
  const itemId = newId('item');
  const started = store.insertItem({ id: itemId, turnId, threadId, kind: 'user_message', status: 'in_progress', now: tx.now });
  tx.emit(threadId, 'item.started', { item: { ...started, detail: text, summary: summarize(text) } }, { turnId, itemId });
  const item = store.finishItem(itemId, { status: 'completed', detail: text, endedAt: tx.now });
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
  store: Store,
  turnId: string,
  outcome: TurnOutcome,
  openItemText: (itemId: string) => { text: string; truncated: boolean },
): Turn | undefined {
  const before = store.findTurn(turnId);
  if (!before || before.status !== 'in_progress') return undefined;
  for (const item of store.listOpenItemsOfTurn(turnId)) {
    const cut = outcome.status !== 'completed';
    const { text, truncated } = openItemText(item.id);
    const metadata = { ...item.metadata, ...(cut ? { interrupted: true } : {}), ...(truncated ? { truncated: true } : {}) };
    const closed = store.finishItem(item.id, {
      status: outcome.status === 'failed' ? 'failed' : 'completed',
      detail: text,
      metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
      endedAt: tx.now,
    });
    tx.emit(before.threadId, 'item.completed', { item: closed }, { turnId, itemId: item.id });
  }
  const startedMs = Date.parse(before.startedAt ?? before.createdAt);
  store.finishTurn(turnId, {
    status: outcome.status,
    endedAt: tx.now,
    durationMs: Math.max(0, Date.parse(tx.now) - startedMs),
    usage: outcome.usage,
    error: outcome.error,
  });
  store.clearRunningTurn(before.threadId, turnId, tx.now);
  const turn = store.findTurn(turnId)!;
  tx.emit(before.threadId, 'turn.completed', { turn }, { turnId });
  return turn;
}

/** Cancels every pending admission of the thread, `prompt.cancelled` each, oldest first. */
export function cancelPending(tx: Tx, store: Store, threadId: string): Admission[] {
  return store.listPendingAdmissions(threadId).map((pending) => cancelAdmission(tx, store, pending.id)!);
}

export function cancelAdmission(tx: Tx, store: Store, admissionId: string): Admission | undefined {
  if (!store.markCancelled(admissionId)) return undefined;
  const admission = store.findAdmission(admissionId)!;
  tx.emit(admission.threadId, 'prompt.cancelled', { admission });
  return admission;
}
