import type { TurnKind, TurnStatus } from '@threadline/protocol';

/** What decides whether an engine still sees a turn. */
export interface TurnFacts {
  id: string;
  kind: TurnKind;
  status: TurnStatus;
  superseded: boolean;
  reverted: boolean;
}

/**
 * The turns an engine sees (PROTOCOL.md §12), in the order given: ended turns that are neither
 * superseded nor reverted, from the newest completed compaction on (its summary stands for
 * everything before it). A running turn is not history yet; a compaction that failed or was
 * interrupted changes nothing.
 */
export function visibleTurnIds(turns: readonly TurnFacts[]): string[] {
  const counted = turns.filter((t) => t.status !== 'in_progress' && !t.superseded && !t.reverted);
  let from = 0;
  counted.forEach((t, i) => {
    if (t.kind === 'compaction' && t.status === 'completed') from = i;
  });
  return counted.slice(from).filter((t) => t.kind === 'prompt' || t.status === 'completed').map((t) => t.id);
}
