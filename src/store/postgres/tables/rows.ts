/** Row ↔ record helpers shared by the table families. */
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
