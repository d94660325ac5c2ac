import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validate, version } from 'uuid';
import { newId } from '../../src/orchestrator/ids.js';

// Ids draw their random bytes from a pool and keep v7's counter themselves: they must still be
// valid, distinct v7 UUIDs, in the order they were made even within one millisecond.

test('ids are valid UUIDv7s behind their prefix, all distinct, sorted in the order they were made', () => {
  const ids = Array.from({ length: 20_000 }, () => newId('admission'));
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids.slice(0, 100).concat(ids.slice(-100))) {
    const uuid = id.slice(id.indexOf('_') + 1);
    assert.ok(validate(uuid), id);
    assert.equal(version(uuid), 7);
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  assert.deepEqual([...ids].sort(), ids, 'ids made one after another sort in that order');
  // 20,000 ids take a few ms here: most share their millisecond with the one before.
  const ms = new Set(ids.map((id) => id.slice(4, 17)));
  assert.ok(ms.size < ids.length / 10, `expected ids to share milliseconds, got ${ms.size} distinct`);
});

test('the time part is the clock: an id made now names this millisecond', () => {
  const before = Date.now();
  const uuid = newId('thread').slice('thr_'.length);
  const after = Date.now();
  const ms = parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);
  assert.ok(ms >= before && ms <= after + 1, `${ms} not in [${before}, ${after}]`);
});
