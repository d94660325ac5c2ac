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
export async function admitPrompt(tx: Tx, input: PromptInput): Promise<Admission> {
  const admission = await insertAdmission(tx, input);
  await tx.emit(input.threadId, 'prompt.admitted', { admission });
  return admission;
}

/**
 * Records an admission the same transaction promotes (no `prompt.admitted`): its `admittedSeq`
 * is the seq of the `prompt.promoted` that follows.
 */
export async function admitForPromotion(tx: Tx, input: PromptInput): Promise<StoredAdmission> {
  return { admission: await insertAdmission(tx, input), options: input.options };
}

/** The inbox row, its `admittedSeq` the thread's next seq (a literal: `{ ...input, more }` is V8's slow copy). */
async function insertAdmission(tx: Tx, { threadId, prompt, delivery, options }: PromptInput): Promise<Admission> {
  const admittedSeq = await tx.peekSeq(threadId);
  return tx.admissions.insert({ id: newId('admission'), threadId, prompt, delivery, options, admittedSeq, now: tx.now });
}

/**
 * Promotes a pending admission into a new running turn. Events, in PROTOCOL.md §5's order:
 * `prompt.promoted`, `turn.started`, `item.started` and `item.completed` of the user message.
 * The turn is leased to `lease.owner` in the same transaction.
 */
export async function beginTurn(tx: Tx, stored: StoredAdmission, lease: LeaseGrant, turnId = newId('turn')): Promise<Turn> {
  const { admission, options } = stored;
  const threadId = admission.threadId;
  const promotedSeq = await tx.peekSeq(threadId);
  const promoted = await tx.admissions.markPromoted(admission.id, promotedSeq, turnId);
  // Its thread is locked by this transaction, and the admission was read pending in it.
  if (!promoted) throw new Error(`admission ${admission.id} is no longer pending: it cannot start turn ${turnId}`);
  await tx.emit(threadId, 'prompt.promoted', { admission: promoted, turnId }, { turnId });
  const { inputSummary, model, ...turnOptions } = options;
  await tx.turns.insert({
    id: turnId,
    threadId,
    inputSummary: inputSummary ?? summarize(admission.prompt),
    // A queued prompt without a model of its own runs on the thread's model at promotion time.
    model: model ?? (await tx.threads.find(threadId))?.model,
    options: turnOptions,
    now: tx.now,
    startSeq: promotedSeq,
  });
  await tx.threads.setRunningTurn(threadId, turnId, tx.now, lease);
  await tx.emit(threadId, 'turn.started', { turn: (await tx.turns.find(turnId))! }, { turnId });
  await addUserMessage(tx, threadId, turnId, admission.prompt);
  return (await tx.turns.find(turnId))!;
}

/**
 * Begins a compaction turn (`thread/compact`): `turn.started`, no admission, no user message.
 * The turn is leased to `lease.owner` in the same transaction.
 */
export async function beginCompaction(tx: Tx, threadId: string, inputSummary: string, lease: LeaseGrant, turnId = newId('turn')): Promise<Turn> {
  await tx.turns.insert({
    id: turnId,
    threadId,
    kind: 'compaction',
    inputSummary,
    model: (await tx.threads.find(threadId))?.model,
    options: {},
    now: tx.now,
    startSeq: await tx.peekSeq(threadId),
  });
  await tx.threads.setRunningTurn(threadId, turnId, tx.now, lease);
  const turn = (await tx.turns.find(turnId))!;
  await tx.emit(threadId, 'turn.started', { turn }, { turnId });
  return turn;
}

/** A user message item of `turnId`: `item.started` then `item.completed`. */
export async function addUserMessage(tx: Tx, threadId: string, turnId: string, text: string): Promise<Item> {
  const itemId = newId('item');
  const summary = summarize(text);
  const started = await tx.items.insert({ id: itemId, turnId, threadId, kind: 'user_message', status: 'in_progress', summary: '', now: tx.now });
  await tx.emit(threadId, 'item.started', { item: { ...started, detail: text, summary } }, { turnId, itemId });
  const item = await tx.items.finish(itemId, { status: 'completed', detail: text, summary, endedAt: tx.now });
  await tx.emit(threadId, 'item.completed', { item }, { turnId, itemId });
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
export async function finishTurn(
  tx: Tx,
  turnId: string,
  outcome: TurnOutcome,
  openItemText: (itemId: string) => Promise<{ text: string; truncated: boolean }>,
): Promise<Turn | undefined> {
  const before = await tx.turns.find(turnId);
  if (!before || before.status !== 'in_progress') return undefined;
  for (const item of await tx.items.listOpenOfTurn(turnId)) {
    const cut = outcome.status !== 'completed';
    const { text, truncated } = await openItemText(item.id);
    const metadata = { ...item.metadata, ...(cut ? { interrupted: true } : {}), ...(truncated ? { truncated: true } : {}) };
    const closed = await tx.items.finish(item.id, {
      status: outcome.status === 'failed' ? 'failed' : 'completed',
      detail: text,
      summary: summarize(text),
      metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
      endedAt: tx.now,
    });
    await tx.emit(before.threadId, 'item.completed', { item: closed }, { turnId, itemId: item.id });
  }
  const startedMs = Date.parse(before.startedAt ?? before.createdAt);
  await tx.turns.finish(turnId, {
    status: outcome.status,
    endedAt: tx.now,
    durationMs: Math.max(0, Date.parse(tx.now) - startedMs),
    usage: outcome.usage,
    error: outcome.error,
  });
  await tx.threads.clearRunningTurn(before.threadId, turnId, tx.now);
  // A completed compaction changes what an engine sees (its summary replaces what came before):
  // a loaded engine, here or in another process, is rebuilt from visible history before its next turn.
  if (before.kind === 'compaction' && outcome.status === 'completed') {
    await tx.threads.bumpHistoryRev(before.threadId);
    // The figure described the context the summary replaced: unknown until the next model call.
    await tx.threads.setContextUsage(before.threadId, null);
  }
  const turn = (await tx.turns.find(turnId))!;
  await tx.emit(before.threadId, 'turn.completed', { turn }, { turnId });
  return turn;
}

/** Cancels every pending admission of the thread, `prompt.cancelled` each, oldest first. */
export async function cancelPending(tx: Tx, threadId: string): Promise<Admission[]> {
  const cancelled: Admission[] = [];
  for (const pending of await tx.admissions.listPending(threadId)) cancelled.push((await cancelAdmission(tx, pending.id))!);
  return cancelled;
}

export async function cancelAdmission(tx: Tx, admissionId: string): Promise<Admission | undefined> {
  if (!await tx.admissions.markCancelled(admissionId)) return undefined;
  const admission = (await tx.admissions.find(admissionId))!;
  await tx.emit(admission.threadId, 'prompt.cancelled', { admission });
  return admission;
}
