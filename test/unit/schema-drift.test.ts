import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EVENT_KINDS, buildJsonSchema } from '@threadline/protocol';

test('schema/threadline.schema.json is what the protocol package generates', () => {
  const onDisk: unknown = JSON.parse(readFileSync(new URL('../../schema/threadline.schema.json', import.meta.url), 'utf8'));
  assert.deepStrictEqual(onDisk, buildJsonSchema(), 'schema/ is stale: run npm run schema:write');
});

test('the JSON Schema has a definition for every method, server request and event payload', () => {
  const defs = (buildJsonSchema() as { $defs: Record<string, Record<string, unknown>> }).$defs;
  const methods = new Set(Object.values(defs).map((d) => d['x-method']).filter(Boolean));
  const events = new Set(Object.values(defs).map((d) => d['x-event']).filter(Boolean));
  assert.ok(methods.has('thread/startTurn') && methods.has('approval/request') && methods.has('initialize'));
  assert.equal(events.size, EVENT_KINDS.length);
  assert.equal(defs.ThreadListParams?.required, undefined, 'defaulted params are optional for senders');
});
