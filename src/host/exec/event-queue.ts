/**
 * A push-driven async iterable: the engine process pushes events, the turn runner pulls them.
 * An action pushed in between runs when the consumer reaches it, i.e. after every earlier event
 * was handled (an approval must not overtake the tool_call item it is about).
 */
export class EventQueue<T> implements AsyncIterable<T> {
  private readonly items: ({ item: T } | { action: () => void })[] = [];
  private done = false;
  private error: unknown;
  private wake: (() => void) | undefined;

  push(item: T): void {
    if (this.done) return;
    this.items.push({ item });
    this.wake?.();
  }

  pushAction(action: () => void): void {
    if (this.done) return;
    this.items.push({ action });
    this.wake?.();
  }

  end(): void {
    this.done = true;
    this.wake?.();
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.error = error;
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const next = this.items.shift();
      if (next && 'action' in next) {
        next.action();
        continue;
      }
      if (next) {
        yield next.item;
        continue;
      }
      if (this.done) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
