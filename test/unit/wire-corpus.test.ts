import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Methods, wireRegistry, wireSchema } from '@threadline/protocol';

const root = new URL('../fixtures/wire/', import.meta.url);

const dirs = readdirSync(root);

for (const dir of dirs) {
  test(`wire fixtures of ${dir} parse with ${dir}Schema`, () => {
    const schema = wireSchema(dir);
    assert.ok(schema, `test/fixtures/wire/${dir} does not name a wire schema`);
    for (const file of readdirSync(new URL(`${dir}/`, root))) {
      const value: unknown = JSON.parse(readFileSync(new URL(`${dir}/${file}`, root), 'utf8'));
      const parsed = schema.safeParse(value);
      assert.ok(parsed.success, `${dir}/${file}: ${parsed.success ? '' : parsed.error.message}`);
    }
  });
}

test('every method of the table has at least one params fixture', () => {
  const missing = Object.values(Methods)
    .map((m) => wireRegistry.get(m.params)!.id)
    .filter((id) => !id || !dirs.includes(id));
  assert.deepStrictEqual(missing, []);
});

test('every error class carries data that matches its ErrorData schema', async () => {
  const protocol = await import('@threadline/protocol');
  const samples = [
    new protocol.ThreadNotFoundError('thr_x'),
    new protocol.TurnNotFoundError('turn_x'),
    new protocol.AdmissionNotFoundError('inp_x'),
    new protocol.ThreadBusyError('thr_x', 'turn_y'),
    new protocol.NothingToEditError('thr_x'),
    new protocol.ThreadArchivedError('thr_x'),
    new protocol.TimeoutError('slow', { turnId: 'turn_x', timeoutMs: 5 }),
    new protocol.TurnMismatchError('thr_x', 'turn_a', null),
    new protocol.QueueFullError('thr_x', 100),
    new protocol.HostError('boom', { threadId: 'thr_x', turnId: 'turn_x', host: 'echo' }),
    new protocol.StorageError('full', { sqliteCode: 'SQLITE_FULL', retryable: true }),
    new protocol.ThreadLeasedError('thr_x', 42, '2026-01-01T00:00:00.000Z'),
    new protocol.InvalidParamsError('bad', [{ path: ['prompt'], message: 'prompt is required' }]),
    new protocol.ServerNotInitializedError('thread/list'),
    new protocol.MethodNotFoundError('x/y'),
  ];
  for (const error of samples) {
    const name = (Object.keys(protocol.ErrorCodes) as (keyof typeof protocol.ErrorCodes)[]).find((n) => protocol.ErrorCodes[n] === error.code)!;
    const parsed = protocol.ErrorDataSchemas[name].safeParse(error.data);
    assert.ok(parsed.success, `${name}: ${JSON.stringify(error.data)}`);
    assert.ok(protocol.ErrorObjectSchema.safeParse({ code: error.code, message: error.message, data: error.data }).success);
  }
});
