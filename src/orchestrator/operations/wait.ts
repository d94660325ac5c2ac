import { TimeoutError, TurnNotFoundError, type ParsedParamsOf, type ResultOf, type Turn } from '@threadline/protocol';
import type { OperationDeps } from './deps.js';

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `turn/wait`: resolves once the turn is not `in_progress`. A turn this process runs ends on its
 * EventBus; one another server process runs ends in that process's commits, noticed through
 * the store's change feed.
 */
export function waitForTurnEnd(d: OperationDeps, p: ParsedParamsOf<'turn/wait'>): Promise<ResultOf<'turn/wait'>> {
  const findTurn = () => d.store.read((tx) => tx.turns.find(p.turnId));
  const turn = findTurn();
  if (!turn) throw new TurnNotFoundError(p.turnId);
  if (turn.status !== 'in_progress') return Promise.resolve({ turn });
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let unwatch = () => {};
    const stop = () => {
      clearTimeout(timer);
      unsubscribe();
      unwatch();
    };
    const done = (ended: Turn) => {
      stop();
      resolve({ turn: ended });
    };
    const unsubscribe = d.bus.subscribe((event) => {
      if (event.kind === 'turn.completed' && event.payload.turn.id === p.turnId) done(event.payload.turn);
    });
    if (d.runner.running(turn.threadId)?.turnId !== turn.id && d.otherProcessCommits) {
      unwatch = d.otherProcessCommits.watch(() => {
        const now = findTurn();
        if (now && now.status !== 'in_progress') done(now);
      });
    }
    // Past 2^31-1 ms setTimeout would fire at once: such a wait is as good as unbounded.
    if (p.timeoutMs !== undefined && p.timeoutMs <= MAX_TIMER_MS) {
      timer = setTimeout(() => {
        stop();
        reject(new TimeoutError(`Turn ${p.turnId} still running after ${p.timeoutMs} ms`, { turnId: p.turnId, timeoutMs: p.timeoutMs }));
      }, p.timeoutMs);
    }
  });
}
