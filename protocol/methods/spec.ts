import type { z } from 'zod';
import type { ErrorName } from '../errors.js';

/** One row of a method table: the params a sender validates and the result it gets back. */
export interface MethodSpec {
  params: z.ZodType;
  result: z.ZodType;
  /**
   * The errors this method answers besides those every method may (-32600, -32602, -32603,
   * -32002, and -32030 for a write): documentation for docs/PROTOCOL.md and the JSON Schema.
   */
  errors: readonly ErrorName[];
}
