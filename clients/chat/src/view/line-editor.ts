/** A key as node:readline's emitKeypressEvents reports it. */
export interface Key {
  name?: string;
  sequence?: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
}

/**
 * The prompt's text and cursor, with the usual Emacs-style keys (what readline users expect):
 * ←/→, Home/End, Ctrl-A/E, Ctrl-U/K/W, Backspace/Delete, Alt-←/→ by word. Returns false for
 * keys it does not handle, which the app then interprets (Enter, Tab, ↑, Ctrl-C…).
 */
export class LineEditor {
  text = '';
  cursor = 0;

  set(text: string): void {
    this.text = text;
    this.cursor = text.length;
  }

  clear(): void {
    this.set('');
  }

  insert(s: string): void {
    this.text = this.text.slice(0, this.cursor) + s + this.text.slice(this.cursor);
    this.cursor += s.length;
  }

  handle(str: string | undefined, key: Key): boolean {
    const t = this.text;
    const c = this.cursor;
    if (key.ctrl && !key.meta) {
      switch (key.name) {
        case 'a':
          this.cursor = 0;
          return true;
        case 'e':
          this.cursor = t.length;
          return true;
        case 'u':
          this.text = t.slice(c);
          this.cursor = 0;
          return true;
        case 'k':
          this.text = t.slice(0, c);
          return true;
        case 'w': {
          const start = wordStart(t, c);
          this.text = t.slice(0, start) + t.slice(c);
          this.cursor = start;
          return true;
        }
        case 'b':
          this.cursor = Math.max(0, c - 1);
          return true;
        case 'f':
          this.cursor = Math.min(t.length, c + 1);
          return true;
        case 'left':
          this.cursor = wordStart(t, c);
          return true;
        case 'right':
          this.cursor = wordEnd(t, c);
          return true;
      }
      return false;
    }
    switch (key.name) {
      case 'left':
        this.cursor = key.meta ? wordStart(t, c) : Math.max(0, c - stepBack(t, c));
        return true;
      case 'right':
        this.cursor = key.meta ? wordEnd(t, c) : Math.min(t.length, c + stepForward(t, c));
        return true;
      case 'home':
        this.cursor = 0;
        return true;
      case 'end':
        this.cursor = t.length;
        return true;
      case 'backspace':
        if (c > 0) {
          const n = stepBack(t, c);
          this.text = t.slice(0, c - n) + t.slice(c);
          this.cursor = c - n;
        }
        return true;
      case 'delete':
        this.text = t.slice(0, c) + t.slice(c + stepForward(t, c));
        return true;
    }
    if (!key.meta && str !== undefined && str.length > 0 && !/[\x00-\x08\x0b-\x1f\x7f]/.test(str)) {
      this.insert(str);
      return true;
    }
    return false;
  }
}

/** A surrogate pair is one character: never split it. */
const stepBack = (t: string, c: number) => (c >= 2 && /[\udc00-\udfff]/.test(t[c - 1]!) && /[\ud800-\udbff]/.test(t[c - 2]!) ? 2 : 1);
const stepForward = (t: string, c: number) => (/[\ud800-\udbff]/.test(t[c] ?? '') ? 2 : 1);

function wordStart(t: string, c: number): number {
  let i = c;
  while (i > 0 && /\s/.test(t[i - 1]!)) i--;
  while (i > 0 && !/\s/.test(t[i - 1]!)) i--;
  return i;
}

function wordEnd(t: string, c: number): number {
  let i = c;
  while (i < t.length && /\s/.test(t[i]!)) i++;
  while (i < t.length && !/\s/.test(t[i]!)) i++;
  return i;
}
