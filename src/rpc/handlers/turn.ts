import type { Orchestrator } from '../../orchestrator/api.js';
import type { HandlerGroup } from './types.js';

export function turnHandlers(orchestrator: Orchestrator): HandlerGroup<'turn/get' | 'turn/wait'> {
  return {
    'turn/get': (p) => orchestrator.getTurn(p.turnId),
    'turn/wait': (p) => orchestrator.waitForTurn(p),
  };
}
