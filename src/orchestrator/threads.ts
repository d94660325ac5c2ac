import {
  InvalidParamsError,
  ThreadBusyError,
  ThreadNotFoundError,
  TurnNotFoundError,
  type ParsedParamsOf,
  type ResultOf,
  type Thread,
  type ThreadEvent,
  type Usage,
} from '@threadline/protocol';
import { RawJson } from '@threadline/protocol/node';
import type { Store } from '../store/store.js';
import type { ThreadPageKey } from '../store/threads.js';
import { addUsage } from './active-turn.js';
import type { Commit, Tx } from './events.js';
import { newId } from './ids.js';

/** Thread records, the event log, routing rules and usage: everything that is not a running turn. */
export class ThreadService {
  constructor(
    private readonly store: Store,
    private readonly commit: Commit,
  ) {}

  require(threadId: string): Thread {
    const thread = this.store.findThread(threadId);
    if (!thread) throw new ThreadNotFoundError(threadId);
    return thread;
  }

  create(p: ParsedParamsOf<'thread/create'>): ResultOf<'thread/create'> {
    return this.commit((tx) => {
      const id = newId('thread');
      this.store.insertThread({
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
      });
      // The event is the thread's first (seq 1); the record it carries already counts it.
      const seq = this.store.lastSeq(id)! + 1;
      tx.emit(id, 'thread.created', { thread: { ...this.store.findThread(id)!, lastSeq: seq } });
      return { thread: this.store.findThread(id)! };
    });
  }

  get(p: ParsedParamsOf<'thread/get'>): ResultOf<'thread/get'> {
    return this.store.read(() => {
      const thread = this.require(p.threadId);
      const queued = this.store.listPendingAdmissions(p.threadId);
      return p.includeTurns
        ? { thread, turns: this.store.listTurnsOfThread(p.threadId), queued }
        : { thread, queued };
    });
  }

  list(p: ParsedParamsOf<'thread/list'>): ResultOf<'thread/list'> {
    const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor);
    const rows = this.store.listThreads(p.archived ?? false, p.limit + 1, after);
    const threads = fitPage(rows.slice(0, p.limit));
    const last = threads[threads.length - 1];
    return rows.length > threads.length && last
      ? { threads, nextCursor: encodeCursor({ updatedAt: last.updatedAt, id: last.id }) }
      : { threads };
  }

  update(p: ParsedParamsOf<'thread/update'>): ResultOf<'thread/update'> {
    return this.commit((tx) => {
      const t = this.require(p.threadId);
      const pick = <T>(given: T | null | undefined, old: T | undefined) =>
        given === undefined ? (old ?? null) : given;
      this.store.updateThreadSettings(
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
      return { thread: this.emitThread(tx, t.id, 'thread.updated') };
    });
  }

  setArchived(threadId: string, archived: boolean): { thread: Thread } {
    return this.commit((tx) => {
      const t = this.require(threadId);
      if (t.archived !== archived) this.store.setThreadArchived(threadId, archived, tx.now);
      return { thread: this.emitThread(tx, threadId, archived ? 'thread.archived' : 'thread.unarchived') };
    });
  }

  /** Emits a thread event whose record already counts the event itself in `lastSeq`. */
  private emitThread(tx: Tx, threadId: string, kind: 'thread.updated' | 'thread.archived' | 'thread.unarchived'): Thread {
    const thread = this.store.findThread(threadId)!;
    tx.emit(threadId, kind, { thread: { ...thread, lastSeq: thread.lastSeq + 1 } });
    return this.store.findThread(threadId)!;
  }

  delete(threadId: string): ResultOf<'thread/delete'> {
    return this.commit(() => {
      const t = this.require(threadId);
      if (t.status === 'running') throw new ThreadBusyError(threadId, t.latestTurnId);
      this.store.deleteThread(threadId);
      return { deleted: true as const };
    });
  }

  /** A page of the log as JSON text: payloads are stored as JSON and go out without a parse. */
  events(p: ParsedParamsOf<'thread/events'>): RawJson<ResultOf<'thread/events'>> {
    return this.store.read(() => {
      const lastSeq = this.store.lastSeq(p.threadId);
      if (lastSeq === undefined) throw new ThreadNotFoundError(p.threadId);
      return new RawJson(`{"events":${this.store.listEventsJson(p.threadId, p.afterSeq, p.limit)},"lastSeq":${lastSeq}}`);
    });
  }

  /**
   * A subscription's starting point, on one snapshot: the backlog after `afterSeq` (at most
   * `limit` events) and the thread's lastSeq, after which the live stream begins.
   */
  backlog(threadId: string, afterSeq: number | undefined, limit: number): { events: ThreadEvent[]; lastSeq: number } {
    return this.store.read(() => {
      const lastSeq = this.store.lastSeq(threadId);
      if (lastSeq === undefined) throw new ThreadNotFoundError(threadId);
      const from = afterSeq ?? lastSeq;
      return { events: from >= lastSeq ? [] : this.store.listEvents(threadId, from, limit), lastSeq };
    });
  }

  /** Committed events of the thread after `afterSeq`, oldest first (a live tail's next page). */
  eventsAfter(threadId: string, afterSeq: number, limit: number): ThreadEvent[] {
    return this.store.listEvents(threadId, afterSeq, limit);
  }

  exists(threadId: string): boolean {
    return this.store.findThreadState(threadId) !== undefined;
  }

  getTurn(turnId: string): ResultOf<'turn/get'> {
    return this.store.read(() => {
      const turn = this.store.findTurn(turnId);
      if (!turn) throw new TurnNotFoundError(turnId);
      return { turn, items: this.store.listItemsOfTurn(turnId) };
    });
  }

  getRules(): ResultOf<'routing/getRules'> {
    return { rules: this.store.listRules() };
  }

  setRules(p: ParsedParamsOf<'routing/setRules'>): ResultOf<'routing/setRules'> {
    return this.commit(() => {
      this.store.replaceRules(p.rules);
      return { rules: this.store.listRules() };
    });
  }

  usage(p: ParsedParamsOf<'usage/get'>): ResultOf<'usage/get'> {
    return this.store.read(() => {
      if (p.threadId !== undefined) this.require(p.threadId);
      const all = this.store.listCompletedUsage(p.threadId);
      const usage = all.reduce<Usage | undefined>((sum, u) => addUsage(sum, u), undefined);
      return { usage: usage ?? { inputTokens: 0, outputTokens: 0 }, turns: all.length };
    });
  }
}

function encodeCursor(key: ThreadPageKey): string {
  return Buffer.from(JSON.stringify([key.updatedAt, key.id])).toString('base64url');
}

function decodeCursor(cursor: string): ThreadPageKey {
  try {
    const [updatedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof updatedAt === 'string' && typeof id === 'string') return { updatedAt, id };
  } catch {
    // fall through to the error below
  }
  throw new InvalidParamsError('cursor is not one this server returned', [
    { path: ['cursor'], message: 'cursor is not one this server returned', code: 'custom' },
  ]);
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
