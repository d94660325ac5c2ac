import { TurnNotFoundError, type ParsedParamsOf, type ResultOf } from '@threadline/protocol';
import { decideInterrupt } from '../decide/coordinator.js';
import { rejectionError } from '../decide/rejections.js';
import type { ActiveTurn } from '../turns/active-turn.js';
import type { Peer } from '../turns/peer.js';
import type { TurnRunner } from '../turns/runner.js';
import { cancelPending, type TurnOutcome } from '../turns/steps.js';
import type { OperationDeps } from './deps.js';
import { readThread } from './read-thread.js';

/** `thread/interrupt`: decided and recorded in one transaction; the engine is told to stop after the commit. */
export async function interrupt(d: OperationDeps, p: ParsedParamsOf<'thread/interrupt'>, peer: Peer): Promise<ResultOf<'thread/interrupt'>> {
  let ended: { active: ActiveTurn; outcome: TurnOutcome; result: Awaited<ReturnType<TurnRunner['recordEnd']>> } | undefined;
  const result = await d.commit(async (tx): Promise<ResultOf<'thread/interrupt'>> => {
    const { thread, state: s, holder, recovered } = await readThread(d, tx, p.threadId);
    if (p.turnId !== undefined && !await tx.turns.find(p.turnId)) throw new TurnNotFoundError(p.turnId);
    // A dead owner's turn was just ended "server restarted": that is the turn this call stopped.
    if (recovered && (p.turnId === undefined || p.turnId === recovered.id)) {
      return { turn: recovered, cancelled: p.keepQueued ? [] : await cancelPending(tx, thread.id) };
    }
    const decision = decideInterrupt(s, p.turnId);
    if (decision.action === 'reject') throw rejectionError(decision.error, thread, holder, d.limits.maxQueued, p.turnId);
    if (decision.action === 'none') return { turn: null, cancelled: [] };
    // A turn this process holds but no longer runs (its engine never started): ended here all the same.
    const active = d.runner.running(thread.id) ?? d.runner.register((await tx.turns.find(s.runningTurnId!))!, false, peer);
    const outcome: TurnOutcome = { status: 'interrupted', usage: active.usage };
    const recorded = await d.runner.recordEnd(tx, active, outcome, !p.keepQueued);
    ended = { active, outcome, result: recorded };
    return recorded ?? { turn: (await tx.turns.find(s.runningTurnId!))!, cancelled: [] };
  });
  if (ended) d.runner.afterEndCommitted(ended.active, ended.outcome, ended.result);
  return result;
}
