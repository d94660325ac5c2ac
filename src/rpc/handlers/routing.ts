import type { Orchestrator } from '../../orchestrator/api.js';
import type { HandlerGroup } from './types.js';

export function routingHandlers(orchestrator: Orchestrator): HandlerGroup<'routing/getRules' | 'routing/setRules'> {
  return {
    'routing/getRules': () => orchestrator.getRules(),
    'routing/setRules': (p) => orchestrator.setRules(p),
  };
}
