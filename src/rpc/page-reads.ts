/**
 * The methods whose answer is a page (up to ~4 MiB of events, threads, turns, items, search hits
 * or a report): the ones whose answers, produced side by side, could outgrow the output gate.
 */
const PAGE_METHODS: ReadonlySet<string> = new Set([
  'thread/events',
  'thread/list',
  'thread/turns',
  'turn/items',
  'thread/subscribe',
  'thread/search',
  'thread/export',
  'usage/report',
]);

/** Page answers produced at once, at most: 4 × ~4 MiB beside the 8 MiB the gate lets the client leave unread. */
export const MAX_PAGE_READS = 4;

/**
 * Bounds the page answers being produced at one time. The output gate (backpressure.ts) admits a
 * request while the client's unread output is under its mark; on SQLite a read runs to its answer
 * before the next request is dispatched, but on Postgres each read awaits the database, so a
 * client that sent thousands of `thread/events` without reading had them all admitted before the
 * first answer was written — and every answer then sat in memory at once (778 MB for 75 requests,
 * e2e/backpressure-requests). Page requests beyond the limit wait here, in arrival order; the
 * others, and `turn/wait` (which may wait for hours), never do.
 */
export class PageReads {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit = MAX_PAGE_READS) {}

  /** Runs `answer` now, or once fewer than `limit` page answers are in production, if `method` answers with a page. */
  async run<T>(method: string, answer: () => Promise<T>): Promise<T> {
    if (!PAGE_METHODS.has(method)) return answer();
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // handed the slot of one that finished
    try {
      return await answer();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
