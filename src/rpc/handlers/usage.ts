import type { Orchestrator } from '../../orchestrator/orchestrator.js';
import type { HandlerGroup } from './types.js';

export function usageHandlers(o: Orchestrator): HandlerGroup<'usage/get'> {
  return { 'usage/get': (p) => o.threads.usage(p) };
}
