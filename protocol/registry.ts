import * as z from 'zod/mini';
import { en } from 'zod/locales';
// By name: `z.core.globalConfig` would keep all of zod's core in a client's bundle.
import { globalConfig } from 'zod/v4/core';

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
 * Method params and results join it when first used ({@link lazy}); {@link wireSchema} and
 * `buildJsonSchema` build them all first.
 */
export const wireRegistry = z.registry<WireMeta>();

const byId = new Map<string, z.ZodMiniType>();

/** Registers `schema` under `id`; returns the same schema so declarations stay one expression. */
export function named<T extends z.ZodMiniType>(id: string, description: string, schema: T): T {
  wireRegistry.add(schema, { id, description });
  byId.set(id, schema);
  return schema;
}

/** Schemas more than one field may use: what a {@link lazy} thunk returns (named records among them). */
const shared = new WeakSet<object>();

/**
 * A field's schema with its description. A shared schema (a timestamp, an id, a named record, or
 * one described already) is cloned, so it can be described differently in every field that uses
 * it; a clone of a named record is still emitted as a `$ref` to it, with the description beside
 * the `$ref`. A schema made for this one field is described as it is: a clone is a second
 * construction, and a start builds `initialize`'s params (and a dozen fields) before answering.
 */
export function doc<T extends z.ZodMiniType>(description: string, schema: T): T {
  const described = shared.has(schema) || wireRegistry.has(schema) ? (schema.clone() as T) : schema;
  wireRegistry.add(described, { description });
  return described;
}

/** The wire schema registered under `id` (a `$defs` name of schema/threadline.schema.json). */
export function wireSchema(id: string): z.ZodMiniType | undefined {
  buildAll();
  return byId.get(id);
}

const pending: (() => unknown)[] = [];

/**
 * A schema built on its first use, not when the module loads: building every method's schemas
 * was a large share of the server's start-up, and a server answers `initialize` with two of them.
 * The thunk is memoized; {@link buildAll} builds (and so registers) every pending one.
 */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  const get = (): T => {
    if (!built) {
      englishByDefault();
      value = build();
      built = true;
      if (typeof value === 'object' && value !== null) shared.add(value);
    }
    return value as T;
  };
  pending.push(get);
  return get;
}

/**
 * zod/mini installs no error messages by itself (classic zod installs English when it builds its
 * first schema): the first schema built here does the same, unless the application chose a
 * locale with `z.config`. Messages are read when a parse fails, so a schema built earlier is fine.
 */
function englishByDefault(): void {
  if (globalConfig.localeError === undefined) z.config(en());
}

/** Builds every {@link lazy} schema, so {@link wireRegistry} holds every wire shape. */
export function buildAll(): void {
  for (const get of pending) get();
}
