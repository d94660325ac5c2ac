import { AdmissionNotFoundError, type ParsedParamsOf, type ResultOf } from '@threadline/protocol';
import { decideDrain, shouldPromoteAfterEnd } from '../decide/coordinator.js';
import { rejectionError } from '../decide/rejections.js';
import { launch, promoteOldest } from '../turns/launch.js';
import type { Peer } from '../turns/peer.js';
import { cancelAdmission } from '../turns/steps.js';
import type { OperationDeps } from './deps.js';
import { readThread, requireThread } from './read-thread.js';

/** `thread/drain`: starts the oldest queued prompt of an idle thread. */
export async function drain(d: OperationDeps, p: ParsedParamsOf<'thread/drain'>, peer: Peer): Promise<ResultOf<'thread/drain'>> {
  const autoCompactAt = await d.autoCompactAt();
  const { begun, remaining } = await d.groupCommit.run(async (tx) => {
    const { thread, state, holder } = await readThread(d, tx, p.threadId);
    const decision = decideDrain(state);
    if (decision.action === 'reject') throw rejectionError(decision.error, thread, holder, d.limits.maxQueued);
    const started = decision.action === 'none' ? undefined : await promoteOldest(tx, d.leases, thread, autoCompactAt);
    return { begun: started, remaining: await tx.admissions.countPending(thread.id) };
  }, peer.inputBacklog);
  if (begun) await launch(d.runner, begun, peer);
  return { turn: begun?.turn ?? null, remaining };
}

/** `thread/cancelQueued`: a pending prompt is cancelled (one already promoted or cancelled is not found). */
export async function cancelQueued(d: OperationDeps, p: ParsedParamsOf<'thread/cancelQueued'>, peer: Peer): Promise<ResultOf<'thread/cancelQueued'>> {
  return await d.groupCommit.run(async (tx) => {
    await requireThread(tx, p.threadId);
    const found = await tx.admissions.find(p.admissionId);
    if (!found || found.threadId !== p.threadId) throw new AdmissionNotFoundError(p.admissionId);
    if (found.state !== 'pending') throw new AdmissionNotFoundError(p.admissionId, `no longer pending (${found.state})`);
    return { admission: (await cancelAdmission(tx, p.admissionId))! };
  }, peer.inputBacklog);
}

/** Queued prompts run FIFO as each turn ends; the next one's approvals go to `peer`, as the last one's did. */
export async function promoteNext(d: OperationDeps, threadId: string, peer: Peer): Promise<void> {
  if (d.isClosed()) return;
  try {
    const autoCompactAt = await d.autoCompactAt();
    const begun = await d.commit(async (tx) => {
      if (!await tx.threads.runState(threadId)) return undefined;
      const { thread, state } = await readThread(d, tx, threadId);
      if (!shouldPromoteAfterEnd('completed', state)) return undefined;
      return await promoteOldest(tx, d.leases, thread, autoCompactAt);
    });
    if (begun) launch(d.runner, begun, peer).catch(() => undefined); // a host failure is recorded on the turn
  } catch (error) {
    d.log.error('could not promote the next queued prompt', { threadId, error });
  }
}
