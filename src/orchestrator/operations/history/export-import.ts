import type { Item, ParsedParamsOf, ResultOf, Thread, Turn } from '@threadline/protocol';
import type { Tx } from '../../commit/tx.js';
import { summarize } from '../../decide/summarize.js';
import { newId } from '../../ids.js';
import type { OperationDeps } from '../deps.js';
import { requireThread } from '../read-thread.js';
import { copiedSettings, writeTurnCopy } from './copy.js';

type ThreadDocument = ResultOf<'thread/export'>['document'];
type Transcript = NonNullable<ParsedParamsOf<'thread/import'>['messages']>;

/** `thread/export`: the thread and every turn (visible or not) with its items, from one snapshot; no inbox, no events. */
export async function exportThread(d: OperationDeps, p: ParsedParamsOf<'thread/export'>): Promise<ResultOf<'thread/export'>> {
  return await d.store.read(async (tx) => {
    const thread = await requireThread(tx, p.threadId);
    const turns = [];
    for (const turn of await tx.turns.listOfThread(thread.id)) turns.push({ turn, items: await tx.items.listOfTurn(turn.id) });
    return { document: { format: 'threadline.thread', version: 1, exportedAt: new Date().toISOString(), thread, turns } };
  });
}

/**
 * `thread/import`: a new thread (new ids) from a document — its settings, and its turns and items
 * as they were (statuses, texts, usage, kinds, order; reverted and superseded turns stay so) —
 * or from a transcript. The params schema has validated the document, so nothing here refuses:
 * the thread, its turns and `thread.imported` (seq 1) commit together or not at all.
 */
export async function importThread(d: OperationDeps, p: ParsedParamsOf<'thread/import'>): Promise<ResultOf<'thread/import'>> {
  return await d.commit(async (tx) => {
    const id = newId('thread');
    const importedTurns = p.document ? await importDocument(tx, id, p.document) : await importTranscript(tx, id, p.messages!, p.title);
    const thread = (await tx.threads.find(id))!;
    await tx.emit(id, 'thread.imported', { thread: { ...thread, lastSeq: await tx.peekSeq(id) }, importedTurns });
    return { thread: (await tx.threads.find(id))!, importedTurns };
  });
}

async function importDocument(tx: Tx, id: string, doc: ThreadDocument): Promise<number> {
  const source: Thread = doc.thread;
  await tx.threads.insert({
    id,
    title: source.title,
    ...copiedSettings(source),
    now: tx.now,
    importedFrom: source.id,
  });
  // New ids first, so a superseded turn can name the copy of the turn that replaced it.
  const ids = new Map(doc.turns.map(({ turn }) => [turn.id, newId('turn')]));
  for (const [i, { turn, items }] of doc.turns.entries()) {
    const supersededBy = turn.supersededBy === undefined ? undefined : ids.get(turn.supersededBy);
    await writeTurnCopy(tx, turn, items, id, i - doc.turns.length, { id: ids.get(turn.id), revertedAt: turn.revertedAt, supersededBy });
  }
  return doc.turns.length;
}

/** Each user message (consecutive ones joined by a newline) with the assistant messages after it is one completed turn. */
export function transcriptTurns(messages: Transcript): { user?: string; assistant: string[] }[] {
  const turns: { user?: string; assistant: string[] }[] = [];
  for (const m of messages) {
    const current = turns[turns.length - 1];
    if (m.role === 'assistant') {
      if (current) current.assistant.push(m.text);
      else turns.push({ assistant: [m.text] });
    } else if (current && current.user !== undefined && current.assistant.length === 0) {
      current.user = `${current.user}\n${m.text}`;
    } else {
      turns.push({ user: m.text, assistant: [] });
    }
  }
  return turns;
}

async function importTranscript(tx: Tx, id: string, messages: Transcript, title: string | undefined): Promise<number> {
  await tx.threads.insert({ id, title: title ?? '', autoApprove: false, trustMode: false, metadata: {}, now: tx.now });
  const turns = transcriptTurns(messages);
  for (const [i, t] of turns.entries()) {
    const turn: Turn = {
      id: '',
      threadId: id,
      status: 'completed',
      inputSummary: summarize(t.user),
      createdAt: tx.now,
      startedAt: tx.now,
      endedAt: tx.now,
      durationMs: 0,
      itemIds: [],
      steerCount: 0,
      kind: 'prompt',
    };
    const texts: (readonly [Item['kind'], string])[] = [
      ...(t.user === undefined ? [] : [['user_message', t.user] as const]),
      ...t.assistant.map((a) => ['agent_message', a] as const),
    ];
    const items: Item[] = texts.map(([kind, text]) => ({ id: '', turnId: '', kind, status: 'completed', summary: summarize(text), detail: text, startedAt: tx.now, endedAt: tx.now }));
    await writeTurnCopy(tx, turn, items, id, i - turns.length);
  }
  return turns.length;
}
