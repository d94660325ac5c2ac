import * as z from 'zod/mini';
import { ERROR_WHEN } from './error-schemas.js';
import { ERROR_TABLE } from './errors.js';
import { EVENT_KINDS, Events, THREAD_EVENT_NOTIFICATION, ThreadEventSchema, eventDefName } from './events.js';
import { Methods } from './methods.js';
import { buildAll, wireRegistry } from './registry.js';
import { Notifications, ServerRequests } from './server-requests.js';
import { PROTOCOL_VERSION } from './version.js';

type JsonSchema = Record<string, unknown>;

/**
 * The whole protocol as one JSON Schema document (draft 2020-12): a `$defs` entry per record,
 * method params/result, server request, notification, event and event payload, tagged with
 * `x-` keywords that say which message each one is (docs/PROTOCOL.md, "The JSON Schema").
 * What a sender writes (method params, the approval answer) is generated for input, so
 * defaulted fields are optional; everything else is generated for output. Used by
 * `npm run schema:write` and by the drift test alike.
 */
export function buildJsonSchema(): JsonSchema {
  buildAll(); // the method schemas are built on first use (registry.ts, lazy): all of them here
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
    tag(defs, idOf(spec.params), {
      'x-method': method,
      'x-message': 'request',
      'x-direction': 'client-to-server',
      'x-role': 'params',
      'x-errors': [...spec.errors],
    });
    tag(defs, idOf(spec.result), { 'x-method': method, 'x-direction': 'server-to-client', 'x-role': 'result' });
  }
  for (const [method, spec] of Object.entries(ServerRequests)) {
    tag(defs, idOf(spec.params), {
      'x-method': method,
      'x-message': 'request',
      'x-direction': 'server-to-client',
      'x-role': 'params',
    });
    tag(defs, idOf(spec.result), { 'x-method': method, 'x-direction': 'client-to-server', 'x-role': 'result' });
  }
  for (const [method, spec] of Object.entries(Notifications)) {
    tag(defs, idOf(spec.params), {
      'x-method': method,
      'x-message': 'notification',
      'x-direction': spec.direction,
      'x-role': 'params',
    });
  }
  tag(defs, idOf(ThreadEventSchema), {
    'x-method': THREAD_EVENT_NOTIFICATION,
    'x-message': 'notification',
    'x-direction': 'server-to-client',
    'x-role': 'params',
  });
  defs[idOf(ThreadEventSchema)] = keyedOnKind(defs[idOf(ThreadEventSchema)]!);
  for (const kind of EVENT_KINDS) {
    tag(defs, idOf(Events[kind]), { 'x-event': kind, 'x-role': 'payload' });
    tag(defs, eventDefName(kind), { 'x-event': kind, 'x-role': 'event' });
  }
  for (const { name, code } of ERROR_TABLE) tag(defs, `${name}ErrorData`, { 'x-error': name, 'x-error-code': code });
  return sortKeys({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://threadline.dev/schema/threadline.schema.json',
    title: `Threadline wire protocol, version ${PROTOCOL_VERSION}`,
    'x-protocol-version': PROTOCOL_VERSION,
    'x-notification': { method: THREAD_EVENT_NOTIFICATION, params: { $ref: '#/$defs/ThreadEvent' } },
    'x-errors': ERROR_TABLE.map((row) => ({ ...row, when: ERROR_WHEN[row.name], data: { $ref: `#/$defs/${row.name}ErrorData` } })),
    $defs: defs,
  }) as JsonSchema;
}

/**
 * `ThreadEvent` keyed on `kind`: one `if`/`then` per kind, so a standard validator checks (and
 * reports errors of) only the branch the event's `kind` names, where a 15-way `oneOf` reports
 * every branch. `discriminator` (OpenAPI style) tells code generators the same.
 */
function keyedOnKind(generated: JsonSchema): JsonSchema {
  const ref = (kind: string) => `#/$defs/${eventDefName(kind as (typeof EVENT_KINDS)[number])}`;
  const { oneOf: _branches, anyOf: _alsoBranches, ...rest } = generated;
  return {
    ...rest,
    type: 'object',
    required: ['kind'],
    properties: { kind: { description: 'The event kind; it decides the rest of the event.', enum: [...EVENT_KINDS] } },
    discriminator: { propertyName: 'kind', mapping: Object.fromEntries(EVENT_KINDS.map((k) => [k, ref(k)])) },
    allOf: EVENT_KINDS.map((kind) => ({
      if: { properties: { kind: { const: kind } }, required: ['kind'] },
      then: { $ref: ref(kind) },
    })),
  };
}

function idOf(schema: z.core.$ZodType): string {
  const id = wireRegistry.get(schema)?.id;
  if (!id) throw new Error('a wire schema is missing from the registry');
  return id;
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
