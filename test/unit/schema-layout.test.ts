import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_KINDS, Methods, buildJsonSchema } from '@threadline/protocol';

type Def = Record<string, unknown>;
const schema = buildJsonSchema() as { $defs: Record<string, Def>; 'x-errors': Def[] };
const defs = schema.$defs;

/** Paths of object properties without a `description`, anywhere in `node` (`if` conditions excepted). */
function undescribed(node: unknown, path: string, out: string[]): string[] {
  if (Array.isArray(node)) node.forEach((v, i) => undescribed(v, `${path}/${i}`, out));
  else if (node && typeof node === 'object') {
    const { properties, ...rest } = node as Def;
    if (properties && typeof properties === 'object' && !path.endsWith('/if')) {
      for (const [key, prop] of Object.entries(properties as Record<string, Def>)) {
        if (typeof prop.description !== 'string' || prop.description.length === 0) out.push(`${path}/properties/${key}`);
        undescribed(prop, `${path}/properties/${key}`, out);
      }
    }
    for (const [key, value] of Object.entries(rest)) undescribed(value, `${path}/${key}`, out);
  }
  return out;
}

test('every property of every definition has a description', () => {
  assert.deepStrictEqual(undescribed(defs, '#/$defs', []), []);
  for (const [id, def] of Object.entries(defs)) assert.ok(def.description, `${id} has no description`);
});

test('exit, $/cancelRequest, thread/event and mcp/status are in the schema as notifications', () => {
  const notifications = Object.values(defs).filter((d) => d['x-message'] === 'notification');
  const byMethod = Object.fromEntries(notifications.map((d) => [d['x-method'], d['x-direction']]));
  assert.deepStrictEqual(byMethod, {
    exit: 'client-to-server',
    '$/cancelRequest': 'server-to-client',
    'thread/event': 'server-to-client',
    'mcp/status': 'server-to-client',
  });
});

test('ThreadEvent is keyed on kind: one if/then branch per kind, no oneOf', () => {
  const event = defs.ThreadEvent!;
  assert.equal(event.oneOf, undefined);
  assert.equal(event.anyOf, undefined);
  const branches = event.allOf as { if: { properties: { kind: { const: string } } }; then: { $ref: string } }[];
  assert.deepStrictEqual(branches.map((b) => b.if.properties.kind.const), EVENT_KINDS);
  for (const b of branches) assert.ok(defs[b.then.$ref.replace('#/$defs/', '')], `${b.then.$ref} exists`);
  assert.deepStrictEqual(Object.keys((event.discriminator as { mapping: Def }).mapping).sort(), [...EVENT_KINDS].sort());
});

test('every method lists its errors, and every error row links its data definition', () => {
  for (const method of Object.keys(Methods)) {
    const params = Object.values(defs).find((d) => d['x-method'] === method && d['x-role'] === 'params');
    assert.ok(Array.isArray(params?.['x-errors']), `${method} has x-errors`);
  }
  for (const row of schema['x-errors']) {
    assert.ok(typeof row.when === 'string' && row.when.length > 0, `${String(row.name)} says when`);
    assert.ok(defs[`${String(row.name)}ErrorData`], `${String(row.name)}ErrorData exists`);
  }
});
