import { TurnNotFoundError, type ResultOf } from '@threadline/protocol';
import type { OperationDeps } from './deps.js';

/** `turn/get`: the turn and its items. */
export async function getTurn(d: OperationDeps, turnId: string): Promise<ResultOf<'turn/get'>> {
  return await d.store.read(async (tx) => {
    const turn = await tx.turns.find(turnId);
    if (!turn) throw new TurnNotFoundError(turnId);
    return { turn, items: await tx.items.listOfTurn(turnId) };
  });
}
