import type { Subscriptions } from '../subscriptions.js';
import type { HandlerGroup } from './types.js';

export function subscriptionHandlers(s: Subscriptions): HandlerGroup<'thread/subscribe' | 'thread/unsubscribe'> {
  return {
    'thread/subscribe': (p) => s.subscribe(p.threadId, p.afterSeq),
    'thread/unsubscribe': (p) => s.unsubscribe(p.threadId),
  };
}
