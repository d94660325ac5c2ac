import type { ParsedParamsOf, ResultOf } from '@threadline/protocol';
import { decideEditLastTurn } from '../decide/coordinator.js';
import { rejectionError } from '../decide/rejections.js';
import { newId } from '../ids.js';
import { launch } from '../turns/launch.js';
import type { Peer } from '../turns/peer.js';
import { admitForPromotion, beginTurn } from '../turns/steps.js';
import { admissionOptions, checkPromptSize } from './admission-options.js';
import type { OperationDeps } from './deps.js';
import { readThread } from './read-thread.js';

/** `thread/editLastTurn` (PROTOCOL.md §4.3): the last turn is superseded by a new one with the edited prompt. */
export async function editLastTurn(d: OperationDeps, p: ParsedParamsOf<'thread/editLastTurn'>, peer: Peer): Promise<ResultOf<'thread/editLastTurn'>> {
  checkPromptSize('content', p.content, d.limits.maxPromptBytes);
  const { begun, superseded } = await d.groupCommit.run(async (tx) => {
    const { thread, state, holder } = await readThread(d, tx, p.threadId);
    const last = await tx.turns.findLastLive(thread.id);
    // A compaction (the last turn after thread/compact) has no user message to edit.
    const decision = decideEditLastTurn(state, last !== undefined && last.kind === 'prompt');
    if (decision.action === 'reject') throw rejectionError(decision.error, thread, holder, d.limits.maxQueued);
    const options = await admissionOptions(tx, p);
    const turnId = newId('turn');
    await tx.turns.markSuperseded(last!.id, turnId);
    await tx.emit(thread.id, 'turn.superseded', { turnId: last!.id, supersededBy: turnId });
    const stored = await admitForPromotion(tx, { threadId: thread.id, prompt: p.content, delivery: 'queue', options });
    const turn = await beginTurn(tx, stored, await d.leases.grant(tx), turnId);
    return { begun: { turn, thread, prompt: p.content, options }, superseded: last! };
  }, peer.inputBacklog);
  // The engine forgets every user message of the superseded turn (its prompt and its steers).
  const engine = d.engines.peek(p.threadId);
  for (let i = 0; engine && i <= superseded.steerCount; i++) engine.truncateBeforeLastUserMessage();
  await launch(d.runner, begun, peer);
  return { turn: begun.turn, queued: null };
}
