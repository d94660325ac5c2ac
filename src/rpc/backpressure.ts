import type { FramedMessageWriter } from '@threadline/protocol/node';
import type { Logger } from '../log.js';

export interface OutputGateOptions {
  writer: FramedMessageWriter;
  /** `holding` changed: the caller stops reading the input while it is true. */
  onHoldChange: () => void;
  log: Logger;
  /** Unread output past which no request is run and the input is not read. */
  highWaterBytes: number;
  /** Unread output below which requests run and the input is read again. */
  lowWaterBytes: number;
}

/**
 * Backpressure for responses (PROTOCOL.md §11 covers notifications): every request passes
 * `admit()` before its handler runs. While the client's unread output is over the high-water
 * mark, requests wait here in arrival order and the input stream is paused, so a client that
 * sends requests without reading the answers is held back by its own pipe instead of growing
 * our memory (the caller pauses the input while `holding`). Once the client has read down to the low-water mark, waiting requests run one per
 * event-loop turn (each writes its answer before the next is let through) and reading resumes.
 */
export class OutputGate {
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  private pumping = false;

  constructor(private readonly options: OutputGateOptions) {}

  /** True while requests are held back (or being let through): the input should not be read. */
  get holding(): boolean {
    return this.closed || this.waiting.length > 0;
  }

  /** Undefined when the request may run at once; otherwise a promise of when it may. */
  admit(): Promise<void> | undefined {
    if (!this.closed && this.waiting.length === 0) {
      if (this.options.writer.bufferedBytes <= this.options.highWaterBytes) return undefined;
      this.close();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** After output the client did not ask for by a request (an error for garbage it sent): hold back if over. */
  check(): void {
    if (!this.closed && this.options.writer.bufferedBytes > this.options.highWaterBytes) this.close();
  }

  private close(): void {
    this.closed = true;
    this.options.onHoldChange();
    this.options.log.warn('the client is not reading its answers: holding requests back until it does', {
      unreadBytes: this.options.writer.bufferedBytes,
    });
    void this.options.writer.whenBelow(this.options.lowWaterBytes).then(() => this.open());
  }

  private open(): void {
    this.closed = false;
    this.options.log.debug('the client read its answers: running requests again', { held: this.waiting.length });
    this.pump();
  }

  /** Lets one held request through per turn, while the output stays under the high-water mark. */
  private pump(): void {
    if (this.pumping || this.closed) return;
    if (this.waiting.length === 0) {
      this.options.onHoldChange();
      return;
    }
    if (this.options.writer.bufferedBytes > this.options.highWaterBytes) {
      this.close();
      return;
    }
    this.waiting.shift()!();
    this.pumping = true;
    // setImmediate runs after the released handler's microtasks, i.e. after it wrote its answer.
    setImmediate(() => {
      this.pumping = false;
      this.pump();
    });
  }
}
