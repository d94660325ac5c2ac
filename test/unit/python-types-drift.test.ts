import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pythonModules } from '../../scripts/python-types.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/threadline.schema.json', import.meta.url), 'utf8'));
const dir = new URL('../../clients/python/threadline_client/', import.meta.url);

test('the Python client\'s generated modules are what schema/threadline.schema.json generates', () => {
  for (const [file, text] of Object.entries(pythonModules(schema))) {
    const onDisk = readFileSync(new URL(file, dir), 'utf8');
    assert.ok(onDisk === text, `clients/python/threadline_client/${file} is stale: run node --import tsx scripts/gen-python-types.ts`);
  }
});

test('every definition of the schema has a Python type, and every error code a class', () => {
  const types = pythonModules(schema)['types.py']!;
  for (const name of Object.keys(schema.$defs)) {
    assert.match(types, new RegExp(`^(class ${name}\\(|${name} = )`, 'm'), `types.py defines ${name}`);
  }
  const errors = pythonModules(schema)['errors.py']!;
  for (const row of schema['x-errors'] as { code: number }[]) assert.match(errors, new RegExp(`^    ${row.code}: `, 'm'));
});
