import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Methods, wireRegistry, wireSchema } from '@threadline/protocol';

// Start-up (issue 17): a method's params/result schemas are built on first use, so answering
// `initialize` does not pay for the other methods' schemas. node:test runs this file in a
// process of its own, so nothing has read the table before.
// zod's registry keeps its ids in `_idmap` (what z.toJSONSchema resolves $refs with).
const registered = (id: string): boolean => wireRegistry._idmap.has(id);

test("a method's schemas are built when the server first reads them, and wireSchema still finds every one", () => {
  assert.equal(registered('ThreadListParams'), false, 'thread/list params were built at load');
  void Methods['thread/list'].params;
  assert.equal(registered('ThreadListParams'), true);
  assert.equal(registered('ThreadStartTurnResult'), false);
  assert.ok(wireSchema('ThreadStartTurnResult'), 'lookup by id builds the rest');
  assert.equal(registered('ThreadStartTurnResult'), true);
});
