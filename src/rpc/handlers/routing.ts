import type { Orchestrator } from '../../orchestrator/orchestrator.js';
import type { HandlerGroup } from './types.js';

export function routingHandlers(o: Orchestrator): HandlerGroup<'routing/getRules' | 'routing/setRules'> {
  return {
    'routing/getRules': () => o.threads.getRules(),
    'routing/setRules': (p) => o.threads.setRules(p),
  };
}
