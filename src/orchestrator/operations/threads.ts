import { ThreadBusyError, type ParsedParamsOf, type ResultOf, type Thread } from '@threadline/protocol';
import type { ThreadPageKey } from '../../store/port.js';
import type { Tx } from '../commit/tx.js';
import { newId } from '../ids.js';
import { decodeCursor, encodeCursor } from './history/cursor.js';
import type { OperationDeps } from './deps.js';
import { requireThread } from './read-thread.js';

/** Thread records: create, read, list, update, archive, delete (PROTOCOL.md §6). */

export async function createThread(d: OperationDeps, p: ParsedParamsOf<'thread/create'>): Promise<ResultOf<'thread/create'>> {
  return await d.commit(async (tx) => {
    const id = newId('thread');
    await tx.threads.insert({
      id,
      title: p.title ?? '',
      model: p.model,
      mode: p.mode,
      cwd: p.cwd,
      systemPrompt: p.systemPrompt,
      autoApprove: p.autoApprove ?? false,
      trustMode: p.trustMode ?? false,
      metadata: p.metadata ?? {},
      now: tx.now,
      ...(p.mcpServers && p.mcpServers.length > 0 ? { mcpServers: p.mcpServers } : {}),
    });
    // The event is the thread's first (seq 1); the record it carries already counts it.
    const seq = await tx.peekSeq(id);
    await tx.emit(id, 'thread.created', { thread: { ...(await tx.threads.find(id))!, lastSeq: seq } });
    return { thread: (await tx.threads.find(id))! };
  });
}

export async function getThread(d: OperationDeps, p: ParsedParamsOf<'thread/get'>): Promise<ResultOf<'thread/get'>> {
  return await d.store.read(async (tx) => {
    const thread = await requireThread(tx, p.threadId);
    const queued = await tx.admissions.listPending(p.threadId);
    return p.includeTurns ? { thread, turns: await tx.turns.listOfThread(p.threadId), queued } : { thread, queued };
  });
}

export async function listThreads(d: OperationDeps, p: ParsedParamsOf<'thread/list'>): Promise<ResultOf<'thread/list'>> {
  const after = p.cursor === undefined ? undefined : pageKey(decodeCursor(p.cursor, ['string', 'string'] as const));
  const rows = await d.store.read(async (tx) => await tx.threads.list(p.archived ?? false, p.limit + 1, after, p.status));
  const threads = fitPage(rows.slice(0, p.limit));
  const last = threads[threads.length - 1];
  return rows.length > threads.length && last ? { threads, nextCursor: encodeCursor([last.updatedAt, last.id]) } : { threads };
}

export async function updateThread(d: OperationDeps, p: ParsedParamsOf<'thread/update'>): Promise<ResultOf<'thread/update'>> {
  return await d.commit(async (tx) => {
    const t = await requireThread(tx, p.threadId);
    const pick = <T>(given: T | null | undefined, old: T | undefined) => (given === undefined ? (old ?? null) : given);
    await tx.threads.updateSettings(
      t.id,
      {
        title: p.title ?? t.title,
        model: pick(p.model, t.model),
        mode: pick(p.mode, t.mode),
        systemPrompt: pick(p.systemPrompt, t.systemPrompt),
        autoApprove: p.autoApprove ?? t.autoApprove,
        trustMode: p.trustMode ?? t.trustMode,
        metadata: p.metadata ?? t.metadata,
      },
      tx.now,
    );
    return { thread: await emitThread(tx, t.id, 'thread.updated') };
  });
}

export async function setArchived(d: OperationDeps, threadId: string, archived: boolean): Promise<{ thread: Thread }> {
  return await d.commit(async (tx) => {
    const t = await requireThread(tx, threadId);
    if (t.archived !== archived) await tx.threads.setArchived(threadId, archived, tx.now);
    return { thread: await emitThread(tx, threadId, archived ? 'thread.archived' : 'thread.unarchived') };
  });
}

/** Emits a thread event whose record already counts the event itself in `lastSeq`. */
async function emitThread(tx: Tx, threadId: string, kind: 'thread.updated' | 'thread.archived' | 'thread.unarchived'): Promise<Thread> {
  const thread = (await tx.threads.find(threadId))!;
  await tx.emit(threadId, kind, { thread: { ...thread, lastSeq: await tx.peekSeq(threadId) } });
  return (await tx.threads.find(threadId))!;
}

export async function deleteThread(d: OperationDeps, threadId: string): Promise<ResultOf<'thread/delete'>> {
  const result = await d.commit(async (tx) => {
    const t = await requireThread(tx, threadId);
    if (t.status === 'running') throw new ThreadBusyError(threadId, t.latestTurnId);
    await tx.threads.delete(threadId);
    return { deleted: true as const };
  });
  void d.engines.drop(threadId);
  return result;
}

/** What one `thread/list` page holds at most (past its first thread), in UTF-8 bytes of JSON. */
const LIST_PAGE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The threads that fit in one page. A thread record is bounded (a 1 Mi-character system prompt,
 * 64 KiB of metadata), but 200 of them are not: the page stops short, and nextCursor goes on.
 */
function fitPage(threads: Thread[]): Thread[] {
  let bytes = 0;
  for (let i = 0; i < threads.length; i++) {
    const t = threads[i]!;
    // Only long text can be large (6 bytes a character bounds its escaped JSON); the rest is a few hundred bytes.
    bytes += 512 + 6 * ((t.systemPrompt?.length ?? 0) + t.title.length) + (Object.keys(t.metadata).length === 0 ? 0 : Buffer.byteLength(JSON.stringify(t.metadata)));
    if (i > 0 && bytes > LIST_PAGE_MAX_BYTES) return threads.slice(0, i);
  }
  return threads;
}

function pageKey([updatedAt, id]: readonly [string, string]): ThreadPageKey {
  return { updatedAt, id };
}
