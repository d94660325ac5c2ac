import type { Orchestrator } from '../../orchestrator/orchestrator.js';
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

export function threadHandlers(o: Orchestrator): HandlerGroup<ThreadMethods> {
  return {
    'thread/create': (p) => o.threads.create(p),
    'thread/get': (p) => o.threads.get(p),
    'thread/list': (p) => o.threads.list(p),
    'thread/update': (p) => o.threads.update(p),
    'thread/archive': (p) => o.threads.setArchived(p.threadId, true),
    'thread/unarchive': (p) => o.threads.setArchived(p.threadId, false),
    'thread/delete': (p) => o.deleteThread(p.threadId),
    'thread/startTurn': (p) => o.startTurn(p),
    'thread/editLastTurn': (p) => o.editLastTurn(p),
    'thread/drain': (p) => o.drain(p),
    'thread/interrupt': (p) => o.interrupt(p),
    'thread/cancelQueued': (p) => o.cancelQueued(p),
    'thread/events': (p) => o.threads.events(p),
  };
}
