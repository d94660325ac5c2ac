import { AdmissionNotFoundError, InvalidParamsError, type ParsedParamsOf, type ResultOf } from '@threadline/protocol';
import type { Peer } from '../../turns/peer.js';
import { checkPromptSize } from '../admission-options.js';
import type { OperationDeps } from '../deps.js';
import { requireThread } from '../read-thread.js';

/** `thread/updateQueued`: a pending prompt gets new text; its id and place in the queue stay. */
export async function updateQueued(d: OperationDeps, p: ParsedParamsOf<'thread/updateQueued'>, peer: Peer): Promise<ResultOf<'thread/updateQueued'>> {
  checkPromptSize('prompt', p.prompt, d.limits.maxPromptBytes);
  return await d.groupCommit.run(async (tx) => {
    await requireThread(tx, p.threadId);
    const found = await tx.admissions.find(p.admissionId);
    if (!found || found.threadId !== p.threadId) throw new AdmissionNotFoundError(p.admissionId);
    if (!await tx.admissions.updatePrompt(p.admissionId, p.prompt)) throw new AdmissionNotFoundError(p.admissionId, `no longer pending (${found.state})`);
    const admission = (await tx.admissions.find(p.admissionId))!;
    await tx.emit(p.threadId, 'prompt.updated', { admission });
    return { admission };
  }, peer.inputBacklog);
}

/** `thread/reorderQueued`: exactly the thread's pending admissions, in the order they will be promoted. */
export async function reorderQueued(d: OperationDeps, p: ParsedParamsOf<'thread/reorderQueued'>, peer: Peer): Promise<ResultOf<'thread/reorderQueued'>> {
  return await d.groupCommit.run(async (tx) => {
    await requireThread(tx, p.threadId);
    const pending = new Set((await tx.admissions.listPending(p.threadId)).map((a) => a.id));
    const seen = new Set<string>();
    p.admissionIds.forEach((id, i) => {
      const problem = seen.has(id) ? 'is given twice' : !pending.has(id) ? 'is not a pending admission of the thread' : undefined;
      if (problem) throw invalid(`admissionIds[${i}] ${id} ${problem}`, ['admissionIds', i]);
      seen.add(id);
    });
    const missing = [...pending].filter((id) => !seen.has(id));
    if (missing.length > 0) throw invalid(`admissionIds is missing the pending admission ${missing.join(', ')}`, ['admissionIds']);
    await tx.admissions.reorder(p.threadId, p.admissionIds);
    await tx.emit(p.threadId, 'queue.reordered', { admissionIds: p.admissionIds });
    return { queued: await tx.admissions.listPending(p.threadId) };
  }, peer.inputBacklog);
}

function invalid(message: string, path: (string | number)[]): InvalidParamsError {
  return new InvalidParamsError(message, [{ path, message, code: 'custom' }]);
}
