import { RawJson } from '@threadline/protocol/node';
import type { Orchestrator } from '../../orchestrator/api.js';
import type { HandlerGroup } from './types.js';

type ThreadMethods =
  | 'thread/create'
  | 'thread/get'
  | 'thread/list'
  | 'thread/update'
  | 'thread/archive'
  | 'thread/unarchive'
  | 'thread/delete'
  | 'thread/startTurn'
  | 'thread/editLastTurn'
  | 'thread/drain'
  | 'thread/interrupt'
  | 'thread/cancelQueued'
  | 'thread/events';

export function threadHandlers(orchestrator: Orchestrator): HandlerGroup<ThreadMethods> {
  return {
    'thread/create': (p) => orchestrator.createThread(p),
    'thread/get': (p) => orchestrator.getThread(p),
    'thread/list': (p) => orchestrator.listThreads(p),
    'thread/update': (p) => orchestrator.updateThread(p),
    'thread/archive': (p) => orchestrator.setArchived(p.threadId, true),
    'thread/unarchive': (p) => orchestrator.setArchived(p.threadId, false),
    'thread/delete': (p) => orchestrator.deleteThread(p.threadId),
    'thread/startTurn': (p, { peer }) => orchestrator.startTurn(p, peer),
    'thread/editLastTurn': (p, { peer }) => orchestrator.editLastTurn(p, peer),
    'thread/drain': (p, { peer }) => orchestrator.drain(p, peer),
    'thread/interrupt': (p, { peer }) => orchestrator.interrupt(p, peer),
    'thread/cancelQueued': (p, { peer }) => orchestrator.cancelQueued(p, peer),
    // The page's events are JSON text already: spliced into the answer, never parsed and re-printed.
    'thread/events': async (p) => {
      const page = await orchestrator.eventPage(p);
      return new RawJson(['{"events":', page.eventsJson, `,"lastSeq":${page.lastSeq}}`]);
    },
  };
}
