import type { Item, Thread, Turn } from '@threadline/protocol';
import type { NewThread, TurnOptions } from '../../../store/port.js';
import type { Tx } from '../../commit/tx.js';
import { newId } from '../../ids.js';

/** The settings a fork or an import keeps from the thread it copies (one list, so a new setting is kept by both). */
export function copiedSettings(source: Thread): Pick<NewThread, 'model' | 'mode' | 'cwd' | 'systemPrompt' | 'autoApprove' | 'trustMode' | 'metadata'> {
  const { model, mode, cwd, systemPrompt, autoApprove, trustMode, metadata } = source;
  return { model, mode, cwd, systemPrompt, autoApprove, trustMode, metadata };
}

/** What a copy keeps beyond the turn record (an import's reverted or superseded turn). */
export interface CopyExtras {
  id?: string;
  options?: TurnOptions;
  revertedAt?: string;
  supersededBy?: string;
}

/**
 * Writes `turn` with `items` into `threadId` under new ids, ended: a running turn becomes
 * `interrupted` and a streaming item `completed`. `startSeq` orders it among the thread's turns
 * (a fork's and an import's copies take seqs below 1: before every turn the thread will run).
 * Returns the new turn id.
 */
export async function writeTurnCopy(tx: Tx, turn: Turn, items: readonly Item[], threadId: string, startSeq: number, extras: CopyExtras = {}): Promise<string> {
  const turnId = extras.id ?? newId('turn');
  await tx.turns.insertCopy({
    id: turnId,
    threadId,
    kind: turn.kind,
    status: turn.status === 'in_progress' ? 'interrupted' : turn.status,
    inputSummary: turn.inputSummary,
    model: turn.model,
    options: extras.options ?? {},
    createdAt: turn.createdAt,
    startedAt: turn.startedAt,
    endedAt: turn.endedAt,
    durationMs: turn.durationMs,
    usage: turn.usage,
    error: turn.error,
    steerCount: turn.steerCount,
    startSeq,
    revertedAt: extras.revertedAt,
    supersededBy: extras.supersededBy,
  });
  for (const item of items) {
    await tx.items.insertCopy({
      id: newId('item'),
      turnId,
      threadId,
      kind: item.kind,
      status: item.status === 'in_progress' ? 'completed' : item.status,
      summary: item.summary,
      detail: item.detail,
      metadata: item.metadata,
      startedAt: item.startedAt,
      endedAt: item.endedAt,
    });
  }
  return turnId;
}
