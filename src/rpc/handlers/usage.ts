import type { Orchestrator } from '../../orchestrator/api.js';
import type { HandlerGroup } from './types.js';

export function usageHandlers(orchestrator: Orchestrator): HandlerGroup<'usage/get'> {
  return { 'usage/get': (p) => orchestrator.getUsage(p) };
}
