import { z } from 'zod';

/** Metadata of every named wire shape: the `$defs` name in schema/ and its documentation. */
export interface WireMeta {
  id: string;
  description: string;
}

/**
 * Our own registry (not `z.globalRegistry`), so that a client bundling another zod-based SDK
 * never collides with our ids, and the JSON Schema generator sees exactly the wire shapes.
 */
export const wireRegistry = z.registry<WireMeta>();

/** Registers `schema` under `id`; returns the same schema so declarations stay one expression. */
export function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  wireRegistry.add(schema, { id, description });
  return schema;
}
