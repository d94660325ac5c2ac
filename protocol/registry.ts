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

const byId = new Map<string, z.ZodType>();

/** Registers `schema` under `id`; returns the same schema so declarations stay one expression. */
export function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  wireRegistry.add(schema, { id, description });
  byId.set(id, schema);
  return schema;
}

/** The wire schema registered under `id` (a `$defs` name of schema/threadline.schema.json). */
export function wireSchema(id: string): z.ZodType | undefined {
  return byId.get(id);
}
