import { z } from 'zod';

/**
 * Metadata of wire shapes. A named shape (a `$defs` entry of schema/threadline.schema.json) has
 * an `id`; a field has only its `description`, which becomes the `description` of its property
 * in the JSON Schema and of its row in docs/PROTOCOL.md.
 */
export interface WireMeta {
  id?: string;
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

/**
 * A field's schema with its description: a clone of `schema`, so one shared schema (a timestamp,
 * an id, a named record) can be described differently in every field that uses it. A clone of a
 * named record is still emitted as a `$ref` to it, with the description beside the `$ref`.
 */
export function doc<T extends z.ZodType>(description: string, schema: T): T {
  const described = schema.clone() as T;
  wireRegistry.add(described, { description });
  return described;
}

/** The wire schema registered under `id` (a `$defs` name of schema/threadline.schema.json). */
export function wireSchema(id: string): z.ZodType | undefined {
  return byId.get(id);
}
