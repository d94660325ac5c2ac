import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { admissionTable } from '../../src/store/sqlite/tables/admissions.js';
import { approvalRuleTable } from '../../src/store/sqlite/tables/approval-rules.js';
import { clientRequestTable } from '../../src/store/sqlite/tables/client-requests.js';
import { eventTable } from '../../src/store/sqlite/tables/events.js';
import { itemTable } from '../../src/store/sqlite/tables/items.js';
import { ownerTable } from '../../src/store/sqlite/tables/owners.js';
import { reportTable } from '../../src/store/sqlite/tables/reports.js';
import { routingTable } from '../../src/store/sqlite/tables/routing.js';
import { threadTable } from '../../src/store/sqlite/tables/threads.js';
import { turnTable } from '../../src/store/sqlite/tables/turns.js';

// The server prepares each statement at its first use (lazy-statements.ts), so SQL that does not
// compile against the latest schema would fail only when a call first needs it. Here every
// table is built on the real connection, which prepares each of its statements at once.
test('every statement of every SQLite table compiles against the latest schema', () => {
  const db = new Database(':memory:');
  migrate(db);
  const sources: string[] = [];
  const preparer = {
    prepare: ((source: string) => {
      sources.push(source);
      return db.prepare(source);
    }) as Database.Database['prepare'],
  };
  for (const table of [threadTable, turnTable, itemTable, admissionTable, eventTable, clientRequestTable, routingTable, ownerTable, reportTable, approvalRuleTable]) {
    table(preparer);
  }
  assert.ok(sources.length >= 80, `only ${sources.length} statements were prepared: a table prepares some later than at construction`);
  db.close();
});
