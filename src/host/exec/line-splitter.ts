/**
 * Splits a byte stream into lines (at `\n`, a trailing `\r` dropped) without ever holding more
 * than `maxLineBytes` of one line: node:readline buffers a line without bound, so a child that
 * never writes a newline would grow this process until V8's string limit throws.
 *
 * A line longer than the cap is reported once to `onOverflow` with its first `maxLineBytes`
 * bytes; the rest of it, up to the next newline, is dropped. Lines are split on bytes, so a
 * multi-byte UTF-8 character cut between chunks is decoded whole.
 */
export class LineSplitter {
  private chunks: Buffer[] = [];
  private held = 0;
  /** Inside an overlong line: drop bytes until its newline. */
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (head: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.skipping) this.hold(chunk.subarray(start, end));
      if (newline === -1) return;
      if (this.skipping) this.skipping = false;
      else this.emit();
      start = newline + 1;
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.held > 0 && !this.skipping) this.emit();
    this.chunks = [];
    this.held = 0;
  }

  private hold(part: Buffer): void {
    if (part.length === 0) return;
    const room = this.maxLineBytes - this.held;
    if (part.length <= room) {
      this.chunks.push(part);
      this.held += part.length;
      return;
    }
    this.chunks.push(part.subarray(0, room));
    this.held += room;
    const head = this.take();
    this.skipping = true;
    this.onOverflow(head);
  }

  private emit(): void {
    const line = this.take();
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }

  private take(): string {
    const line = Buffer.concat(this.chunks, this.held).toString('utf8');
    this.chunks = [];
    this.held = 0;
    return line;
  }
}
