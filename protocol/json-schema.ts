import { z } from 'zod';
import './error-schemas.js';
import { ERROR_TABLE } from './errors.js';
import { EVENT_KINDS, Events } from './events.js';
import { Methods } from './methods.js';
import { wireRegistry } from './registry.js';
import { ServerRequests } from './server-requests.js';
import { PROTOCOL_VERSION } from './version.js';

type JsonSchema = Record<string, unknown>;

/**
 * The whole protocol as one JSON Schema document (draft 2020-12): a `$defs` entry per record,
 * method params/result, server request and event payload. What a sender writes (method params,
 * the approval answer) is generated for input, so defaulted fields are optional; everything
 * else is generated for output. Used by `npm run schema:write` and by the drift test alike.
 */
export function buildJsonSchema(): JsonSchema {
  const inputIds = new Set<string>([
    ...Object.values(Methods).map((m) => idOf(m.params)),
    ...Object.values(ServerRequests).map((r) => idOf(r.result)),
  ]);
  const generate = (io: 'input' | 'output') =>
    z.toJSONSchema(wireRegistry, {
      io,
      target: 'draft-2020-12',
      metadata: wireRegistry,
      uri: (id) => `#/$defs/${id}`,
      // Results and records may gain fields in later versions (PROTOCOL.md §4): never closed.
      override: (ctx) => {
        if (ctx.jsonSchema.additionalProperties === false) delete ctx.jsonSchema.additionalProperties;
      },
    }).schemas;
  const input = generate('input');
  const output = generate('output');

  const defs: Record<string, JsonSchema> = {};
  for (const id of Object.keys(output)) {
    const def = { ...((inputIds.has(id) ? input[id] : output[id]) as JsonSchema) };
    delete def.$schema;
    delete def.id;
    delete def.$id;
    defs[id] = def;
  }
  for (const [method, spec] of Object.entries(Methods)) {
    tag(defs, idOf(spec.params), { 'x-method': method, 'x-direction': 'client-to-server', 'x-role': 'params' });
    tag(defs, idOf(spec.result), { 'x-method': method, 'x-direction': 'server-to-client', 'x-role': 'result' });
  }
  for (const [method, spec] of Object.entries(ServerRequests)) {
    tag(defs, idOf(spec.params), { 'x-method': method, 'x-direction': 'server-to-client', 'x-role': 'params' });
    tag(defs, idOf(spec.result), { 'x-method': method, 'x-direction': 'client-to-server', 'x-role': 'result' });
  }
  for (const kind of EVENT_KINDS) {
    tag(defs, idOf(Events[kind]), { 'x-event': kind, 'x-direction': 'server-to-client' });
  }
  return sortKeys({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://threadline.dev/schema/threadline.schema.json',
    title: `Threadline wire protocol, version ${PROTOCOL_VERSION}`,
    'x-protocol-version': PROTOCOL_VERSION,
    'x-notification': { method: 'thread/event', params: { $ref: '#/$defs/ThreadEvent' } },
    'x-errors': ERROR_TABLE,
    $defs: defs,
  }) as JsonSchema;
}

function idOf(schema: z.ZodType): string {
  const meta = wireRegistry.get(schema);
  if (!meta) throw new Error('a wire schema is missing from the registry');
  return meta.id;
}

function tag(defs: Record<string, JsonSchema>, id: string, tags: JsonSchema): void {
  const def = defs[id];
  if (!def) throw new Error(`no $defs entry for ${id}`);
  Object.assign(def, tags);
}

/** Canonical form: object keys sorted at every depth (arrays keep their order). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
