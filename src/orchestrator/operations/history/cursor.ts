import { InvalidParamsError } from '@threadline/protocol';

/** An opaque keyset cursor: the page's last key, as base64url JSON. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key a cursor this server returned holds; `shape` names each part's type. Anything else
 * (edited, from another method, from another order) is -32602 naming `cursor`.
 */
export function decodeCursor<const S extends readonly ('string' | 'number')[]>(
  cursor: string,
  shape: S,
): { [K in keyof S]: S[K] extends 'string' ? string : number } {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === shape.length && key.every((part, i) => typeof part === shape[i] && (typeof part !== 'number' || Number.isSafeInteger(part)))) {
      return key as never;
    }
  } catch {
    // fall through to the error below
  }
  throw badCursor();
}

export function badCursor(): InvalidParamsError {
  const message = 'cursor is not one this server returned';
  return new InvalidParamsError(message, [{ path: ['cursor'], message, code: 'custom' }]);
}
