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
      (t) => {
        const { store } = open(t);
        store.write((tx) => {
          tx.threads.insert(newThread('thr_1'));
          tx.turns.insert(newTurn('turn_1', 'thr_1', 1));
          tx.items.insert(newItem('item_1', 'turn_1', 'thr_1'));
          tx.admissions.insert(newAdmission('inp_1', 'thr_1', 1));
        });
        store.read((tx) => {
          assert.deepStrictEqual(undefinedKeys(tx.threads.find('thr_1')), [], 'thread');
          assert.deepStrictEqual(undefinedKeys(tx.turns.find('turn_1')), [], 'turn');
          assert.deepStrictEqual(undefinedKeys(tx.items.find('item_1')), [], 'item');
          assert.deepStrictEqual(undefinedKeys(tx.admissions.find('inp_1')), [], 'admission');
        });
      },
    );
  });
}
