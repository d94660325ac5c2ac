import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newAdmission, newItem, newThread, newTurn, type OpenStore } from './fixtures.js';

/** Keys the record's JSON (what goes on the wire) would carry without a value: null ones. */
const undefinedKeys = (record: object | undefined): string[] =>
  Object.entries(JSON.parse(JSON.stringify(record ?? {})) as object).flatMap(([key, value]) => (value === null || value === undefined ? [key] : []));

export function recordContract(open: OpenStore): void {
  describe('records', () => {
    test(
      'absent optional fields are never null, and a record\'s JSON has no key for them',
      async (t) => {
        const { store } = await open(t);
        await store.write(async (tx) => {
          await tx.threads.insert(newThread('thr_1'));
          await tx.turns.insert(newTurn('turn_1', 'thr_1', 1));
          await tx.items.insert(newItem('item_1', 'turn_1', 'thr_1'));
          await tx.admissions.insert(newAdmission('inp_1', 'thr_1', 1));
        });
        await store.read(async (tx) => {
          assert.deepStrictEqual(undefinedKeys(await tx.threads.find('thr_1')), [], 'thread');
          assert.deepStrictEqual(undefinedKeys(await tx.turns.find('turn_1')), [], 'turn');
          assert.deepStrictEqual(undefinedKeys(await tx.items.find('item_1')), [], 'item');
          assert.deepStrictEqual(undefinedKeys(await tx.admissions.find('inp_1')), [], 'admission');
        });
      },
    );
  });
}
