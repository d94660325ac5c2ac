import type { ParsedParamsOf, ResultOf } from '@threadline/protocol';
import { decideRefusedSteer, decideStartTurn } from '../decide/coordinator.js';
import { rejectionError } from '../decide/rejections.js';
import { autoCompactionDue } from '../turns/auto-compact.js';
import { launch, promoteOldest, type BegunTurn } from '../turns/launch.js';
import type { Peer } from '../turns/peer.js';
import { addUserMessage, admitForPromotion, admitPrompt, beginTurn, type PromptInput } from '../turns/steps.js';
import { admissionOptions, checkPromptSize } from './admission-options.js';
import type { OperationDeps } from './deps.js';
import { findThread, readThread } from './read-thread.js';

type StartTurnOutcome = { result: ResultOf<'thread/startTurn'>; begun?: BegunTurn };

/** `thread/startTurn` (PROTOCOL.md §4.1): start now, queue, steer or refuse — one transaction, then maybe a launch. */
export async function startTurn(d: OperationDeps, p: ParsedParamsOf<'thread/startTurn'>, peer: Peer): Promise<ResultOf<'thread/startTurn'>> {
  checkPromptSize('prompt', p.prompt, d.limits.maxPromptBytes);
  const { maxQueued } = d.limits;
  const autoCompactAt = await d.autoCompactAt();
  const outcome = await d.groupCommit.run(async (tx): Promise<StartTurnOutcome> => {
    const found = await findThread(tx, p.threadId);
    const { thread } = found;
    if (p.clientRequestId !== undefined) {
      const first = await tx.clientRequests.find(thread.id, p.clientRequestId);
      if (first) {
        const turn = (await tx.turns.find(first.turnId))!;
        return { result: { turn, queued: first.queued ? (await tx.admissions.find(first.admissionId))! : null } };
      }
    }
    const options = await admissionOptions(tx, p, p.inputSummary);
    const { state: s, holder } = await readThread(d, tx, thread.id, found);
    const command = { delivery: p.delivery, expectedTurnId: p.expectedTurnId, hostSupportsSteer: d.hostSupportsSteer, maxQueued };
    let decision = decideStartTurn(s, command);
    const remember = async (turnId: string, admissionId: string, queued: boolean) => {
      if (p.clientRequestId !== undefined) await tx.clientRequests.insert(thread.id, p.clientRequestId, { turnId, admissionId, queued }, tx.now);
    };
    const input = (delivery: PromptInput['delivery']): PromptInput => ({ threadId: thread.id, prompt: p.prompt, delivery, options });
    if (decision.action === 'steer') {
      const active = d.runner.running(thread.id);
      if (active && d.runner.steer(active, p.prompt)) {
        const stored = await admitForPromotion(tx, input('steer'));
        // Admitted just above, in this transaction: still pending.
        const admission = (await tx.admissions.markPromoted(stored.admission.id, stored.admission.admittedSeq, active.turnId))!;
        await tx.emit(thread.id, 'prompt.promoted', { admission, turnId: active.turnId }, { turnId: active.turnId });
        await addUserMessage(tx, thread.id, active.turnId, p.prompt);
        await tx.turns.countSteer(active.turnId);
        await remember(active.turnId, admission.id, false);
        return { result: { turn: (await tx.turns.find(active.turnId))!, queued: null } };
      }
      decision = decideRefusedSteer(s, maxQueued);
    }
    switch (decision.action) {
      case 'reject':
        throw rejectionError(decision.error, thread, holder, maxQueued, p.expectedTurnId);
      case 'enqueue': {
        const queued = await admitPrompt(tx, input(p.delivery ?? 'queue'));
        await remember(s.runningTurnId!, queued.id, true);
        return { result: { turn: (await tx.turns.find(s.runningTurnId!))!, queued } };
      }
      case 'startNow': {
        // A thread whose context is full enough compacts first: the prompt waits in the queue.
        if (await autoCompactionDue(tx, thread, autoCompactAt)) {
          const queued = await admitPrompt(tx, input('queue'));
          const begun = (await promoteOldest(tx, d.leases, thread, autoCompactAt))!;
          await remember(begun.turn.id, queued.id, true);
          return { result: { turn: begun.turn, queued }, begun };
        }
        const stored = await admitForPromotion(tx, input('queue'));
        const turn = await beginTurn(tx, stored, await d.leases.grant(tx));
        await remember(turn.id, stored.admission.id, false);
        return { result: { turn, queued: null }, begun: { turn, thread, prompt: p.prompt, options } };
      }
      case 'enqueueAndPromoteOldest': {
        const queued = await admitPrompt(tx, input('queue'));
        const begun = (await promoteOldest(tx, d.leases, thread, autoCompactAt))!;
        await remember(begun.turn.id, queued.id, true);
        return { result: { turn: begun.turn, queued: (await tx.admissions.find(queued.id))! }, begun };
      }
      default:
        throw new Error(`unhandled decision ${decision.action}`);
    }
  }, peer.inputBacklog);
  if (outcome.begun) await launch(d.runner, outcome.begun, peer);
  return outcome.result;
}

