import type * as z from 'zod/mini';
import type { ErrorName } from '../errors.js';

/** One row of a method table: the params a sender validates and the result it gets back. */
export interface MethodSpec {
  params: z.ZodMiniType;
  result: z.ZodMiniType;
  /**
   * The errors this method answers besides those every method may (-32600, -32602, -32603,
   * -32002, and -32030 for a write): documentation for docs/PROTOCOL.md and the JSON Schema.
   */
  errors: readonly ErrorName[];
}

/**
 * A method table row whose schemas are built on first read (`lazy` thunks): a server builds
 * only the schemas of the methods it is asked, so start-up does not pay for all of them.
 */
export function method<P extends z.ZodMiniType, R extends z.ZodMiniType, const E extends readonly ErrorName[]>(
  params: () => P,
  result: () => R,
  errors: E,
): { readonly params: P; readonly result: R; readonly errors: E } {
  return {
    get params() {
      return params();
    },
    get result() {
      return result();
    },
    errors,
  };
}
