/** The one-line summary shows at most this many characters of an argument; the detail has all of it. */
const MAX_SHOWN = 1000;

/**
 * Control characters, and the invisible formatting characters that reorder or hide text (bidi
 * overrides and isolates, zero-width characters): shown escaped, so what the user reads is what runs.
 */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` for a one-line summary, cut at MAX_SHOWN characters saying so. Text with a hidden
 * character is shown as a quoted string with escapes (`"ls\nrm -rf x"`); text starting with a quote
 * is quoted too, so a quoted summary always means escapes and cannot be imitated verbatim.
 */
export function shown(text: string): string {
  const quote = text.startsWith('"') || new RegExp(HIDDEN.source).test(text);
  const escaped = quote
    ? `"${text.replace(/[\\"]/g, '\\$&').replace(HIDDEN, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)}"`
    : text;
  if (escaped.length <= MAX_SHOWN) return escaped;
  return `${escaped.slice(0, MAX_SHOWN)}… [${escaped.length - MAX_SHOWN} more characters in the detail]`;
}

/**
 * The tool_call item's text and the approval's summary and detail: built from the argument the
 * tool really uses (a shell call shows its `command`, whatever `path` it also carries), so an
 * approval cannot show one thing and run another.
 */
export function describeCall(name: string, args: Record<string, unknown> | undefined): { summary: string; detail: string } {
  if (!args) return { summary: `${name} (arguments that are not a JSON object)`, detail: '' };
  const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  switch (name) {
    case 'shell':
      return { summary: `shell ${shown(str(args.command))}`, detail: str(args.command) };
    case 'write_file': {
      const size = typeof args.content === 'string' ? `${Buffer.byteLength(args.content)} bytes` : 'content not a string';
      return { summary: `write_file ${shown(str(args.path))} (${size})`, detail: `write ${str(args.path)} (${size}):\n${str(args.content)}` };
    }
    case 'read_file':
    case 'list_dir':
      return { summary: `${name} ${shown(str(args.path ?? '.'))}`, detail: str(args.path ?? '.') };
    default:
      return { summary: `${name} ${shown(JSON.stringify(args))}`, detail: JSON.stringify(args) };
  }
}
