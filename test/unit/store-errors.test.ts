import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { toStoreError } from '../../src/store/postgres/errors.js';
import { ReadOnlyStoreError } from '../../src/store/sqlite/store.js';
import { storeConflict, storeErrorRetryable, storeFailure } from '../../src/store/store-errors.js';
import { refusedOutcome } from '../../src/orchestrator/turns/refusal.js';

// One answer to "may the same write succeed later, unchanged?" for every backend: the RPC layer
// sends it as data.retryable, a running turn retries its end every second when it is yes and
// drops the refused output (ending the turn failed) when it is no.

/** What better-sqlite3 throws for `sql` on a fresh in-memory database prepared with `setup`. */
function sqliteError(setup: string, sql: string): unknown {
  const db = new Database(':memory:');
  try {
    db.exec(setup);
    db.exec(sql);
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
  throw new Error(`${sql} did not fail`);
}

test('SQLite: a constraint, a trigger raising, a type it cannot store are refusals for good; busy, locked, full and I/O errors pass', () => {
  const trigger = sqliteError(
    "CREATE TABLE events (payload TEXT NOT NULL) STRICT; CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.payload LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poison refused'); END",
    "INSERT INTO events VALUES ('poison')",
  );
  assert.deepStrictEqual(storeFailure(trigger), { backend: 'sqlite', code: 'SQLITE_CONSTRAINT_TRIGGER', message: 'poison refused', retryable: false });
  assert.equal(storeErrorRetryable(trigger), false);
  const notNull = sqliteError('CREATE TABLE t (x TEXT NOT NULL) STRICT', 'INSERT INTO t VALUES (NULL)');
  assert.equal(storeFailure(notNull)?.code, 'SQLITE_CONSTRAINT_NOTNULL');
  assert.equal(storeErrorRetryable(notNull), false);
  const mismatch = sqliteError('CREATE TABLE t (x INTEGER) STRICT', "INSERT INTO t VALUES ('not a number')");
  assert.equal(storeFailure(mismatch)?.code, 'SQLITE_CONSTRAINT_DATATYPE');
  assert.equal(storeErrorRetryable(mismatch), false);
  assert.equal(storeErrorRetryable(new ReadOnlyStoreError()), false);

  // Passing causes, extended codes included: better-sqlite3 names them so on its SqliteError.
  const SqliteError = (Database as unknown as { SqliteError: new (message: string, code: string) => Error }).SqliteError;
  for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE']) {
    assert.equal(storeErrorRetryable(new SqliteError('passing', code)), true, code);
  }
  for (const code of ['SQLITE_TOOBIG', 'SQLITE_MISMATCH', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CORRUPT']) {
    assert.equal(storeErrorRetryable(new SqliteError('for good', code)), false, code);
  }
});

test('Postgres: a raised exception, a data exception or a constraint are refusals for good; a dropped connection, a restart or a deadlock pass', () => {
  const raised = toStoreError({ code: 'P0001', message: 'poison refused' }, []);
  assert.deepStrictEqual(storeFailure(raised), { backend: 'postgres', code: 'P0001', message: 'poison refused', retryable: false });
  for (const code of ['P0001', '22001', '22P02', '23505', '23514', '42P01']) {
    assert.equal(storeErrorRetryable(toStoreError({ code, message: 'for good' }, [])), false, code);
  }
  for (const code of ['40001', '40P01', '57P01', '57P03', '08006', '53100']) {
    assert.equal(storeErrorRetryable(toStoreError({ code, message: 'passing' }, [])), true, code);
  }
  assert.equal(storeErrorRetryable(toStoreError(new Error('Connection terminated unexpectedly'), [])), true);
});

test('an error that is no store failure (a bug) is not retryable: retrying the same input would fail the same way forever', () => {
  assert.equal(storeFailure(new TypeError("Cannot read properties of undefined (reading 'id')")), undefined);
  assert.equal(storeErrorRetryable(new TypeError('bug')), false);
  assert.equal(storeErrorRetryable(Object.assign(new Error('no name'), { code: 'SQLITE_BUSY' })), false, 'only the store errors are read');
  assert.equal(storeErrorRetryable('a string'), false);
  assert.equal(storeErrorRetryable(undefined), false);
});

test("a refused turn's outcome says what was refused and how much was dropped; an interrupted turn stays interrupted", () => {
  const refusal = toStoreError({ code: 'P0001', message: 'poison refused' }, []);
  assert.deepStrictEqual(refusedOutcome({ status: 'completed', usage: { inputTokens: 1, outputTokens: 2 } }, refusal, 3), {
    status: 'failed',
    usage: { inputTokens: 1, outputTokens: 2 },
    error: "storage error: the database refused the turn's output for good (P0001: poison refused); 3 pending writes were dropped",
  });
  assert.equal(refusedOutcome({ status: 'failed', error: 'storage error: poison refused' }, refusal, 1).error, "storage error: the database refused the turn's output for good (P0001: poison refused); 1 pending write was dropped");
  assert.equal(refusedOutcome({ status: 'completed' }, new TypeError('x is undefined'), 2).error, "internal error: the turn's output could not be stored (x is undefined); 2 pending writes were dropped");
  assert.deepStrictEqual(refusedOutcome({ status: 'interrupted', error: 'server shutting down' }, refusal, 0), {
    status: 'interrupted',
    error: "storage error: the database refused the turn's output for good (P0001: poison refused); 0 pending writes were dropped; the turn was ending: server shutting down",
  });
});

test('a deadlock victim or serialization failure is a conflict the committer runs again; a lock timeout, a lost connection, SQLite busy are not', () => {
  assert.equal(storeConflict(toStoreError({ code: '40P01', message: 'deadlock detected' }, [])), true);
  assert.equal(storeConflict(toStoreError({ code: '40001', message: 'could not serialize access' }, [])), true);
  assert.equal(storeConflict(toStoreError({ code: '55P03', message: 'lock not available' }, [])), false);
  assert.equal(storeConflict(toStoreError({ code: 'ECONNRESET', message: 'socket hang up' }, [])), false);
  assert.equal(storeConflict(sqliteError('', 'SELECT * FROM missing')), false);
});
