import type { Thread, Turn } from '@threadline/protocol';
import type { CompactionInput, TurnInput } from '../../host/port.js';
import type { AdmissionOptions } from '../../store/port.js';
import type { Tx } from '../commit/tx.js';
import type { LeaseOwner } from '../ownership/lease-owner.js';
import type { Peer } from './peer.js';
import type { TurnRunner } from './runner.js';
import { beginAutoCompaction } from './auto-compact.js';
import { beginTurn } from './steps.js';

/** A turn committed as begun, to be started on its engine once the transaction is over. */
export interface BegunTurn {
  turn: Turn;
  thread: Thread;
  prompt: string;
  options: AdmissionOptions;
}

/**
 * Begins a turn for the thread's oldest pending prompt, inside the caller's transaction; with
 * `autoCompactAt` (set when the host can compact) a thread whose context is that full begins a
 * compaction instead, and the prompt stays first in the queue (auto-compact.ts).
 */
export async function promoteOldest(tx: Tx, leases: LeaseOwner, thread: Thread, autoCompactAt?: number): Promise<BegunTurn | undefined> {
  const oldest = await tx.admissions.findOldestPending(thread.id);
  if (!oldest) return undefined;
  const compaction = await beginAutoCompaction(tx, leases, thread, autoCompactAt);
  if (compaction) return { turn: compaction, thread, prompt: '', options: {} };
  const turn = await beginTurn(tx, oldest, await leases.grant(tx));
  return { turn, thread, prompt: oldest.admission.prompt, options: oldest.options };
}

/** Starts a begun turn on its engine (after its transaction committed); `peer` answers its approvals. */
export async function launch(runner: TurnRunner, begun: BegunTurn, peer: Peer): Promise<void> {
  const { turn, thread, options } = begun;
  if (turn.kind === 'compaction') return await launchCompaction(runner, turn, thread, undefined, peer); // an automatic one
  const active = runner.register(turn, options.autoApprove ?? thread.autoApprove, peer);
  const input: TurnInput = {
    turnId: turn.id,
    prompt: begun.prompt,
    model: turn.model,
    mode: options.mode ?? thread.mode,
    systemPrompt: thread.systemPrompt,
    temperature: options.temperature,
    topP: options.topP,
    maxTokens: options.maxTokens,
    allowShell: options.allowShell,
    trustMode: options.trustMode ?? thread.trustMode,
  };
  await runner.launch(active, thread, input);
}

/** Starts a begun compaction turn on its engine (after its transaction committed). */
export async function launchCompaction(runner: TurnRunner, turn: Turn, thread: Thread, instructions: string | undefined, peer: Peer): Promise<void> {
  const active = runner.register(turn, thread.autoApprove, peer);
  const input: CompactionInput = { turnId: turn.id, model: turn.model, systemPrompt: thread.systemPrompt, ...(instructions !== undefined ? { instructions } : {}) };
  await runner.launchCompaction(active, thread, input);
}
