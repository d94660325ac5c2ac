/**
 * Runs async jobs one at a time, in call order. The SQLite adapter has one connection: a
 * transaction that awaits between statements must not let another job's statements in (they
 * would join its transaction, and a read would see its uncommitted writes). A job started while
 * none runs begins at once, without a hop through the microtask queue.
 */
export class OneAtATime {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.busy) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy = true;
    try {
      return await job();
    } finally {
      // Hand the turn straight to the next waiter (busy stays true), so no caller slips in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.busy = false;
    }
  }
}
