/** Row ↔ record helpers shared by the table families: SQLite has no booleans and no JSON type. */
export const toBool = (value: number): boolean => value !== 0;
export const fromBool = (value: boolean): number => (value ? 1 : 0);

export function parseJson<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** `null` columns become absent fields, as PROTOCOL's optional fields are omitted, never null. */
export function opt<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

/*
 * Raw reads. better-sqlite3 builds a row object by setting each column on it by name, which for a
 * wide row costs more than the read itself (the thread with its lease, 35 columns: 3.3 of 7 µs hot,
 * several times that right after an fsync); in raw mode a row is an array of its values. A table
 * lists the columns such a statement selects, in order, and reads each value at its index.
 */

/** The position of `K` in the tuple `C`. */
type IndexOf<C extends readonly unknown[], K, Seen extends unknown[] = []> = C extends readonly [infer Head, ...infer Rest]
  ? Head extends K
    ? Seen['length']
    : IndexOf<Rest, K, [...Seen, Head]>
  : never;

/** Each column's index in a raw row: `row[at.title]` is typed as the title column. */
export function columnIndex<const C extends readonly string[]>(columns: C): { readonly [K in C[number]]: IndexOf<C, K> } {
  return Object.fromEntries(columns.map((column, i) => [column, i])) as { readonly [K in C[number]]: IndexOf<C, K> };
}

/** A raw row that begins with `C`'s values, typed by `Row`'s columns (more may follow). */
export type ValuesOf<Row, C extends readonly (keyof Row)[]> = [...{ -readonly [I in keyof C]: Row[C[I]] }, ...unknown[]];
