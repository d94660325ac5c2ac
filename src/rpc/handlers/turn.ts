import type { Orchestrator } from '../../orchestrator/orchestrator.js';
import type { HandlerGroup } from './types.js';

export function turnHandlers(o: Orchestrator): HandlerGroup<'turn/get' | 'turn/wait'> {
  return {
    'turn/get': (p) => o.threads.getTurn(p.turnId),
    'turn/wait': (p) => o.waitForTurn(p),
  };
}
