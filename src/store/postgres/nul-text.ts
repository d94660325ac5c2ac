/**
 * PostgreSQL's `text` cannot hold U+0000, which a JSON string — a prompt, a title, a tool's output
 * read from a binary file — may. Such a string is stored as U+0001 followed by its JSON (which
 * spells the NUL `\u0000`), and so is a string that itself begins with U+0001, so that reading
 * back is exact; every other string is stored as it is. SQLite stores them all as they are.
 */
const MARK = '\u0001';

export function toText(value: string): string {
  return value.includes('\u0000') || value.startsWith(MARK) ? MARK + JSON.stringify(value) : value;
}

export function fromText(value: string): string {
  return value.startsWith(MARK) ? (JSON.parse(value.slice(1)) as string) : value;
}

/** A statement's parameters with each string (and each string of an array parameter) made storable. */
export function storable(values: unknown[] | undefined): unknown[] | undefined {
  if (!values) return values;
  return values.map((v) => (typeof v === 'string' ? toText(v) : Array.isArray(v) ? v.map((e) => (typeof e === 'string' ? toText(e) : e)) : v));
}
