import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

// REVIEW.md (c): the ACP front end sees the orchestrator and the protocol, never rpc/ or store/.
test('src/acp imports neither rpc/ nor store/', () => {
  const dir = new URL('../../src/acp/', import.meta.url);
  for (const file of readdirSync(dir)) {
    const imports = [...readFileSync(new URL(file, dir), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    assert.deepEqual(imports.filter((path) => /\/(rpc|store)\//.test(path)), [], file);
  }
});
