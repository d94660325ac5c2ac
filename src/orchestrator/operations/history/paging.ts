import { TurnNotFoundError, type ParsedParamsOf, type ResultOf } from '@threadline/protocol';
import type { OperationDeps } from '../deps.js';
import { requireThread } from '../read-thread.js';
import { badCursor, decodeCursor, encodeCursor } from './cursor.js';

/** `thread/turns`: keyset pages by the seq each turn began at (never a row twice, none skipped while turns are added). */
export async function threadTurns(d: OperationDeps, p: ParsedParamsOf<'thread/turns'>): Promise<ResultOf<'thread/turns'>> {
  return await d.store.read(async (tx) => {
    await requireThread(tx, p.threadId);
    let after: number | undefined;
    if (p.cursor !== undefined) {
      const [order, startSeq] = decodeCursor(p.cursor, ['string', 'number'] as const);
      if (order !== p.order) throw badCursor();
      after = startSeq;
    }
    const rows = await tx.turns.page(p.threadId, p.order, p.limit + 1, after);
    const page = rows.slice(0, p.limit);
    const last = page[page.length - 1];
    const turns = page.map((r) => r.turn);
    return rows.length > p.limit && last ? { turns, nextCursor: encodeCursor([p.order, last.startSeq]) } : { turns };
  });
}

/** `turn/items`: keyset pages by position in the turn. */
export async function turnItems(d: OperationDeps, p: ParsedParamsOf<'turn/items'>): Promise<ResultOf<'turn/items'>> {
  return await d.store.read(async (tx) => {
    if (!await tx.turns.find(p.turnId)) throw new TurnNotFoundError(p.turnId);
    const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor, ['number'] as const)[0];
    const rows = await tx.items.page(p.turnId, p.limit + 1, after);
    const page = rows.slice(0, p.limit);
    const last = page[page.length - 1];
    const items = page.map((r) => r.item);
    return rows.length > p.limit && last ? { items, nextCursor: encodeCursor([last.position]) } : { items };
  });
}
