import type { HistoryEntry } from '../../host/port.js';
import type { HistoryRow, ReadTx } from '../../store/port.js';
import { visibleTurnIds } from '../decide/visible-turns.js';

/**
 * What an engine is loaded with: the items of the turns it still sees (decide/visible-turns.ts:
 * not superseded, reverted or compacted away), in conversation order. The turn about to start
 * is not among them (it is running); it is started on the engine next.
 */
export async function visibleHistory(tx: ReadTx, threadId: string): Promise<HistoryEntry[]> {
  return toEntries(await tx.items.listHistory(threadId));
}

export function toEntries(rows: readonly HistoryRow[]): HistoryEntry[] {
  const turns = new Map<string, HistoryRow>();
  for (const row of rows) if (!turns.has(row.turnId)) turns.set(row.turnId, row);
  const facts = [...turns.values()].map((r) => ({ id: r.turnId, kind: r.turnKind, status: r.turnStatus, superseded: r.superseded, reverted: r.reverted }));
  const visible = new Set(visibleTurnIds(facts));
  return rows
    .filter((row) => visible.has(row.turnId))
    .map((row) => ({ kind: row.kind, status: row.status, text: row.detail, metadata: row.metadata }));
}
