import { TurnNotFoundError, type ResultOf } from '@threadline/protocol';
import type { OperationDeps } from './deps.js';

/** `turn/get`: the turn and its items. */
export function getTurn(d: OperationDeps, turnId: string): ResultOf<'turn/get'> {
  return d.store.read((tx) => {
    const turn = tx.turns.find(turnId);
    if (!turn) throw new TurnNotFoundError(turnId);
    return { turn, items: tx.items.listOfTurn(turnId) };
  });
}
