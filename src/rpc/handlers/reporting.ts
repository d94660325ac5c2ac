import type { Orchestrator } from '../../orchestrator/api.js';
import type { HandlerGroup } from './types.js';

type ReportingMethods = 'thread/search' | 'thread/export' | 'thread/import' | 'usage/report';

export function reportingHandlers(orchestrator: Orchestrator): HandlerGroup<ReportingMethods> {
  return {
    'thread/search': (p) => orchestrator.searchThreads(p),
    'thread/export': (p) => orchestrator.exportThread(p),
    'thread/import': (p) => orchestrator.importThread(p),
    'usage/report': (p) => orchestrator.usageReport(p),
  };
}
