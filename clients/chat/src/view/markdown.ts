import { Lexer, type Token } from 'marked';
import type { Style } from './style.js';

/**
 * Markdown for a terminal, one line at a time, so a reply can be shown as it streams: block
 * structure (headings, fences, lists, quotes, rules) is read from the line and the fence state;
 * inline structure (bold, italic, code, links, strike-through) by marked's inline lexer. Nothing
 * is dropped: text marked cannot place is printed as written, and a line is never cut (the
 * terminal wraps it).
 */
export class MarkdownLines {
  private inFence = false;

  constructor(private readonly style: Style) {}

  /** Renders one complete line of markdown (without its newline). */
  line(raw: string): string {
    const s = this.style;
    const fence = /^\s*(```|~~~)\s*([\w+-]*)/.exec(raw);
    if (fence) {
      const opening = !this.inFence;
      this.inFence = opening;
      return s.dim(opening && fence[2] ? `─── ${fence[2]}` : '───');
    }
    if (this.inFence) return s.cyan(`  ${raw}`);
    const heading = /^(#{1,6})\s+(.*)$/.exec(raw);
    if (heading) return s.bold(heading[1]!.length <= 2 ? s.underline(this.inline(heading[2]!)) : this.inline(heading[2]!));
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(raw)) return s.dim('─'.repeat(40));
    const quote = /^\s*>\s?(.*)$/.exec(raw);
    if (quote) return `${s.dim('│')} ${s.italic(this.inline(quote[1]!))}`;
    const bullet = /^(\s*)[-*+]\s+(\[[ xX]\]\s+)?(.*)$/.exec(raw);
    if (bullet) {
      const box = bullet[2] ? (/x/i.test(bullet[2]) ? '☑ ' : '☐ ') : '';
      return `${bullet[1]}• ${box}${this.inline(bullet[3]!)}`;
    }
    const numbered = /^(\s*)(\d+[.)])\s+(.*)$/.exec(raw);
    if (numbered) return `${numbered[1]}${s.bold(numbered[2]!)} ${this.inline(numbered[3]!)}`;
    return this.inline(raw);
  }

  private inline(text: string): string {
    let tokens: Token[];
    try {
      tokens = Lexer.lexInline(text);
    } catch {
      return text;
    }
    return this.tokens(tokens);
  }

  private tokens(tokens: Token[]): string {
    const s = this.style;
    let out = '';
    for (const t of tokens) {
      const inner = () => ('tokens' in t && Array.isArray(t.tokens) ? this.tokens(t.tokens as Token[]) : unescape(String((t as { text?: string }).text ?? t.raw)));
      switch (t.type) {
        case 'strong':
          out += s.bold(inner());
          break;
        case 'em':
          out += s.italic(inner());
          break;
        case 'del':
          out += s.strike(inner());
          break;
        case 'codespan':
          out += s.cyan(unescape(t.text));
          break;
        case 'link': {
          const label = inner();
          out += label === t.href ? s.underline(t.href) : `${s.underline(label)} ${s.dim(`(${t.href})`)}`;
          break;
        }
        case 'image':
          out += `[image: ${t.text || t.href}] ${s.dim(`(${t.href})`)}`;
          break;
        case 'br':
          out += ' ';
          break;
        default:
          out += inner();
      }
    }
    return out;
  }
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function unescape(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}
