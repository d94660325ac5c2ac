import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

// Start-up (issue 17): a server validates what it reads, never the events it writes, so its
// bundle must not build the protocol's event, error data or record schemas while loading (they were the largest part
// of loading the protocol package). The package exports them built (`Events`,
// `ThreadEventSchema`, `ErrorDataSchemas`, `ErrorObjectSchema`, `ThreadSchema`…) as pure calls that esbuild drops where nothing reads them; one reference
// from src/ would bring the eager call back into dist/threadline.cjs, and this catches it.
test('the server bundle builds the event, error-data and record schemas only when something asks for them', () => {
  const bundle = readFileSync(new URL('../../dist/threadline.cjs', import.meta.url), 'latin1');
  assert.match(bundle, /\beventPayloads\b/, 'the lazy builder is in the bundle (method results use it)');
  for (const eager of [/=\s*eventPayloads\(\)/, /=\s*threadEventSchema\(\)/, /=\s*errorDataSchemas\(\)/, /=\s*errorObjectSchema\(\)/, /=\s*threadSchema\(\)/, /=\s*turnSchema\(\)/, /=\s*itemSchema\(\)/, /=\s*threadDocumentSchema\(\)/, /=\s*mcpServerListSchema\(\)/, /=\s*approvalRuleSchema\(\)/, /=\s*serverRequests\(\)/, /=\s*notifications\(\)/]) assert.doesNotMatch(bundle, eager);
});
