import type { Item, Thread, Turn } from '@threadline/protocol';
import type { Connection } from './connection.js';

/**
 * The turns a fork copied from its source. A fork's log begins with `thread.forked` and holds
 * none of their events, so they are read with thread/turns and turn/items. Copies keep their
 * times (PROTOCOL.md §12): the copied turns are the ones created before the fork itself.
 */
export async function copiedTurns(connection: Connection, thread: Thread): Promise<{ turn: Turn; items: Item[] }[]> {
  if (!thread.forkedFrom) return [];
  const copied: Turn[] = [];
  let cursor: string | undefined;
  do {
    const page = await connection.requestRetrying('thread/turns', { threadId: thread.id, order: 'asc', limit: 200, ...(cursor ? { cursor } : {}) });
    copied.push(...page.turns.filter((turn) => turn.createdAt <= thread.createdAt && !turn.revertedAt && !turn.supersededBy));
    cursor = page.nextCursor;
  } while (cursor);
  const result: { turn: Turn; items: Item[] }[] = [];
  for (const turn of copied) {
    const items: Item[] = [];
    let itemCursor: string | undefined;
    do {
      const page = await connection.requestRetrying('turn/items', { turnId: turn.id, limit: 500, ...(itemCursor ? { cursor: itemCursor } : {}) });
      items.push(...page.items);
      itemCursor = page.nextCursor;
    } while (itemCursor);
    result.push({ turn, items });
  }
  return result;
}
