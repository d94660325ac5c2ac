import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as classic from 'zod';
import * as z from 'zod/mini';
import { Methods, ThreadSchema } from '@threadline/protocol';

// The exported schemas are zod/mini's (protocol/README.md): what a client keeps is checked here.
// First: classic zod installs English itself when it builds its first schema, which the test below
// does; before it, only the protocol package can have set it.
test('a refused param reads in English without the application configuring zod', () => {
  const result = Methods['thread/list'].params.safeParse({ limit: 0 });
  assert.equal(result.success, false);
  assert.equal(result.error?.issues[0]?.message, 'Too small: expected number to be >=1');
  assert.equal(ThreadSchema.safeParse({}).error?.issues[0]?.message, 'Invalid input: expected string, received undefined');
});

test('the exported schemas compose through zod’s functions, classic or mini, and parse as before', () => {
  const thread = { id: 'thr_0', title: 'x' };
  assert.equal(classic.optional(ThreadSchema).safeParse(undefined).success, true);
  assert.equal(classic.object({ thread: ThreadSchema }).safeParse({ thread }).success, false, 'a wrong thread is refused inside a classic object');
  const extended = z.extend(ThreadSchema, { extra: z.string() });
  assert.ok(extended.shape.extra !== undefined && extended.shape.id !== undefined);
  assert.equal(z.optional(ThreadSchema).safeParse(undefined).success, true);
  assert.equal(typeof classic.toJSONSchema(ThreadSchema), 'object');
  assert.deepEqual(Methods['thread/list'].params.parse({}), { limit: 50 });
});
