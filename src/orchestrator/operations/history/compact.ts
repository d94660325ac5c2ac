import { HostError, InvalidParamsError, type ParsedParamsOf, type ResultOf } from '@threadline/protocol';
import { decideCompact } from '../../decide/coordinator.js';
import { rejectionError } from '../../decide/rejections.js';
import { summarize } from '../../decide/summarize.js';
import { messageOf } from '../../engines/host-guard.js';
import { launchCompaction } from '../../turns/launch.js';
import type { Peer } from '../../turns/peer.js';
import { beginCompaction } from '../../turns/steps.js';
import type { OperationDeps } from '../deps.js';
import { readThread, requireThread } from '../read-thread.js';

/**
 * `thread/compact` (PROTOCOL.md §12): a turn of kind `compaction` in which the host summarises
 * the visible history into one `context_compaction` item. When it completes, the thread's
 * history revision moves on (turns/steps.ts `finishTurn`), so the engine is rebuilt from the
 * summary plus what follows; a compaction that fails or is interrupted changes nothing.
 */
export async function compact(d: OperationDeps, p: ParsedParamsOf<'thread/compact'>, peer: Peer): Promise<ResultOf<'thread/compact'>> {
  checkInstructionsSize(p.instructions, d.limits.maxPromptBytes);
  await d.store.read(async (tx) => await requireThread(tx, p.threadId)); // an unknown thread is -32001 on any host
  await requireCompaction(d, p.threadId);
  const begun = await d.commit(async (tx) => {
    const { thread, state, holder } = await readThread(d, tx, p.threadId);
    const decision = decideCompact(state);
    if (decision.action === 'reject') throw rejectionError(decision.error, thread, holder, d.limits.maxQueued);
    const inputSummary = p.instructions ? summarize(`Compact: ${p.instructions}`) : 'Compact the conversation';
    return { turn: await beginCompaction(tx, thread.id, inputSummary, await d.leases.grant(tx)), thread };
  });
  await launchCompaction(d.runner, begun.turn, begun.thread, p.instructions, peer);
  return { turn: begun.turn };
}

/** A host that does not declare `supportsCompaction` is refused before anything is written. */
async function requireCompaction(d: OperationDeps, threadId: string): Promise<void> {
  const host = d.engines.hostName;
  let supported: boolean;
  try {
    supported = (await d.engines.host()).supportsCompaction === true;
  } catch (error) {
    throw new HostError(`${host} host could not be loaded: ${messageOf(error)}`, { threadId, host: host });
  }
  if (!supported) throw new HostError(`the ${host} host cannot compact a thread (it does not support thread/compact)`, { threadId, host: host });
}

function checkInstructionsSize(text: string | undefined, maxBytes: number): void {
  const bytes = text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return;
  const message = `instructions is ${bytes} bytes, over the limit of ${maxBytes} bytes`;
  throw new InvalidParamsError(message, [{ path: ['instructions'], message, code: 'too_big' }]);
}
