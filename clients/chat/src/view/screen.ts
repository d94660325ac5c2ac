import { displayWidth } from './style.js';

export interface InputLine {
  prefix: string;
  text: string;
  /** Cursor position in `text`, in UTF-16 units. */
  cursor: number;
}

/**
 * The terminal, drawn the way the big agent CLIs draw it: everything finished is printed once
 * and scrolls into the terminal's own scrollback (so a long reply is never cut and can be
 * scrolled and copied), and a small live area under it — the line still streaming, tools in
 * progress, the queue, a status line and the input — is erased and redrawn in place.
 */
export class Screen {
  private live: string[] = [];
  private input: InputLine = { prefix: '', text: '', cursor: 0 };
  /** Row of the cursor, counted from the first row of the drawn live area. */
  private cursorRow = 0;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  private get cols(): number {
    return Math.max(10, this.out.columns || 80);
  }

  private get rows(): number {
    return Math.max(5, this.out.rows || 24);
  }

  /** Lines that are done: printed above the live area, never redrawn. */
  print(lines: string[]): void {
    this.pending.push(...lines);
    this.schedule();
  }

  setLive(lines: string[]): void {
    this.live = lines;
    this.schedule();
  }

  setInput(input: InputLine): void {
    this.input = input;
  }

  /** Redraw soon: streaming deltas are coalesced into one redraw per frame. */
  schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => this.render(), 16);
  }

  render(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    let buf = this.eraseSequence();
    for (const line of this.pending) buf += `${line}\r\n`;
    this.pending = [];
    buf += this.drawLive();
    this.out.write(buf);
  }

  /** Erases the live area and leaves the cursor on a fresh line (for exit). */
  close(finalLines: string[] = []): void {
    if (this.closed) return;
    this.pending.push(...finalLines);
    this.live = [];
    this.input = { prefix: '', text: '', cursor: 0 };
    let buf = this.eraseSequence();
    for (const line of this.pending) buf += `${line}\r\n`;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.out.write(buf);
  }

  private eraseSequence(): string {
    return `\r${this.cursorRow > 0 ? `\x1b[${this.cursorRow}A` : ''}\x1b[J`;
  }

  private drawLive(): string {
    const cols = this.cols;
    const rowsOf = (w: number) => Math.max(1, Math.ceil(w / cols));
    // The live area must fit on the screen, or the rows scrolled off could never be erased.
    const budget = this.rows - 1 - rowsOf(displayWidth(this.input.prefix + shown(this.input.text)) + 1);
    const lines: string[] = [];
    let used = 0;
    for (const line of this.live) {
      const fitted = fitRows(line, cols, Math.max(1, budget - used));
      if (used + rowsOf(displayWidth(fitted)) > budget) break;
      lines.push(fitted);
      used += rowsOf(displayWidth(fitted));
    }
    let buf = '';
    for (const line of lines) buf += `${line}\r\n`;
    const before = shown(this.input.text.slice(0, this.input.cursor));
    const all = this.input.prefix + shown(this.input.text);
    const width = displayWidth(all);
    buf += all;
    // At a full row the terminal waits to wrap; a line break makes the row the cursor needs.
    let endRow = used + rowsOf(width) - 1;
    if (width > 0 && width % cols === 0) {
      buf += '\r\n';
      endRow++;
    }
    const at = displayWidth(this.input.prefix + before);
    const targetRow = used + Math.floor(at / cols);
    if (endRow > targetRow) buf += `\x1b[${endRow - targetRow}A`;
    buf += `\x1b[${(at % cols) + 1}G`;
    this.cursorRow = targetRow;
    return buf;
  }
}

/** How input text is shown: a pasted newline as ⏎, so one logical line stays one line. */
function shown(text: string): string {
  return text.replace(/\r?\n/g, '⏎').replace(/\t/g, ' ');
}

/** A live line longer than the rows it may take shows its tail (it is printed whole when done). */
function fitRows(line: string, cols: number, maxRows: number): string {
  if (displayWidth(line) <= cols * maxRows) return line;
  const plain = line.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');
  const chars = [...plain];
  return `…${chars.slice(chars.length - (cols * maxRows - 2)).join('')}`;
}
