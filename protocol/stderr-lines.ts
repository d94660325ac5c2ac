/** Longest stderr line kept; the rest of a longer one is dropped (a runaway line must not grow memory). */
const MAX_LINE_CHARS = 4096;
/** How many of the last lines are kept for ServerExitedError.stderrTail. */
const TAIL_LINES = 20;

/**
 * Splits a process's stderr into lines for a callback and keeps the last few, so that an error
 * about the process's exit can quote what it said.
 */
export class StderrLines {
  private partial = '';
  private readonly lines: string[] = [];

  constructor(private readonly onLine: (line: string) => void = () => {}) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop()!.slice(0, MAX_LINE_CHARS);
    for (const line of parts) this.emit(line);
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }

  tail(): string[] {
    return [...this.lines];
  }

  private emit(raw: string): void {
    const line = raw.replace(/\r$/, '').slice(0, MAX_LINE_CHARS);
    if (!line) return;
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
    try {
      this.onLine(line);
    } catch (error) {
      console.error('an onStderr callback threw:', error);
    }
  }
}
