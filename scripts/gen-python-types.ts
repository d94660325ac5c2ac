// `node --import tsx scripts/gen-python-types.ts`: generates the Python client's typed modules from
// schema/threadline.schema.json — TypedDicts for every record, params, result and event
// (types.py), one exception class per error row (errors.py) and one typed method per RPC method
// (methods.py). test/unit/python-types-drift.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pythonModules } from './python-types.js';

const schemaPath = fileURLToPath(new URL('../schema/threadline.schema.json', import.meta.url));
const outDir = new URL('../clients/python/threadline_client/', import.meta.url);
const modules = pythonModules(JSON.parse(readFileSync(schemaPath, 'utf8')));
for (const [file, text] of Object.entries(modules)) {
  writeFileSync(new URL(file, outDir), text);
  process.stdout.write(`wrote clients/python/threadline_client/${file}\n`);
}
