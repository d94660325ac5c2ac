import type { Orchestrator } from '../../orchestrator/api.js';
import type { HandlerGroup } from './types.js';

type HistoryMethods =
  | 'thread/fork'
  | 'thread/revert'
  | 'thread/unrevert'
  | 'thread/compact'
  | 'thread/updateQueued'
  | 'thread/reorderQueued'
  | 'thread/turns'
  | 'turn/items';

export function historyHandlers(orchestrator: Orchestrator): HandlerGroup<HistoryMethods> {
  return {
    'thread/fork': (p) => orchestrator.forkThread(p),
    'thread/revert': (p) => orchestrator.revert(p),
    'thread/unrevert': (p) => orchestrator.unrevert(p),
    'thread/compact': (p, { peer }) => orchestrator.compact(p, peer),
    'thread/updateQueued': (p, { peer }) => orchestrator.updateQueued(p, peer),
    'thread/reorderQueued': (p, { peer }) => orchestrator.reorderQueued(p, peer),
    'thread/turns': (p) => orchestrator.threadTurns(p),
    'turn/items': (p) => orchestrator.turnItems(p),
  };
}
