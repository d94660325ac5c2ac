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
  return new Promise((resolve, reject) => {
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    let unwatch = () => {};
    const finish = (outcome: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      unsubscribe();
      unwatch();
      outcome();
    };
    const done = (ended: Turn) => finish(() => resolve({ turn: ended }));
    const fail = (error: unknown) => finish(() => reject(error));
    // Listening before the first read: a turn that ends while the read is under way is not missed.
    const unsubscribe = d.bus.subscribe((event) => {
      if (event.kind === 'turn.completed' && event.payload.turn.id === p.turnId) done(event.payload.turn);
    });
    findTurn().then((turn) => {
      if (!turn) return fail(new TurnNotFoundError(p.turnId));
      if (turn.status !== 'in_progress') return done(turn);
      if (finished) return;
      if (d.runner.running(turn.threadId)?.turnId !== turn.id && d.otherProcessCommits) {
        unwatch = d.otherProcessCommits.watch(() => {
          findTurn().then((now) => {
            if (now && now.status !== 'in_progress') done(now);
          }, fail);
        });
      }
      // Past 2^31-1 ms setTimeout would fire at once: such a wait is as good as unbounded.
      if (p.timeoutMs !== undefined && p.timeoutMs <= MAX_TIMER_MS) {
        timer = setTimeout(() => {
          fail(new TimeoutError(`Turn ${p.turnId} still running after ${p.timeoutMs} ms`, { turnId: p.turnId, timeoutMs: p.timeoutMs }));
        }, p.timeoutMs);
      }
    }, fail);
  });
}
