/**
 * The SQLite tables are synchronous (better-sqlite3 answers at once); the store port is
 * asynchronous for drivers that are not. A table is written against `Sync<Family>` and handed out
 * through `settled`, which returns each answer as a settled promise (a throw as a rejection).
 */

/** The synchronous form of a port family: each method returns what its promise would hold. */
export type Sync<T> = {
  [K in keyof T]: T[K] extends ((...args: infer A) => Promise<infer R>) | undefined
    ? undefined extends T[K]
      ? ((...args: A) => R) | undefined
      : (...args: A) => R
    : T[K];
};

type Method = (...args: unknown[]) => unknown;

/** Wraps every method of a synchronous table once (not per call). */
export function settled<T extends object>(table: Sync<T>): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(table)) {
    wrapped[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            try {
              return Promise.resolve((value as Method)(...args));
            } catch (error) {
              return Promise.reject(error);
            }
          }
        : value;
  }
  return wrapped as T;
}
