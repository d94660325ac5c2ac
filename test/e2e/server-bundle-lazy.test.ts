import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

// Start-up (issue 17): a server validates what it reads, never the events it writes, so its
// bundle must not build the protocol's event, error data, record, id, timestamp or engine-port schemas while loading
// (they were the largest part of loading the protocol package; the last of them, 2026-12-02, 1.21× → 1.14× a bare
// server's start-up CPU). The package exports them built (`Events`,
// `ThreadEventSchema`, `ErrorDataSchemas`, `ErrorObjectSchema`, `ThreadSchema`…) as pure calls that esbuild drops where nothing reads them; one reference
// from src/ would bring the eager call back into dist/threadline.cjs, and this catches it.
test('the server bundle builds the event, error-data, record, id and engine schemas only when something asks for them', () => {
  const bundle = readFileSync(new URL('../../dist/threadline.cjs', import.meta.url), 'latin1');
  assert.match(bundle, /\beventPayloads\b/, 'the lazy builder is in the bundle (method results use it)');
  for (const eager of [/=\s*eventPayloads\(\)/, /=\s*threadEventSchema\(\)/, /=\s*errorDataSchemas\(\)/, /=\s*errorObjectSchema\(\)/, /=\s*threadSchema\(\)/, /=\s*turnSchema\(\)/, /=\s*itemSchema\(\)/, /=\s*threadDocumentSchema\(\)/, /=\s*mcpServerListSchema\(\)/, /=\s*approvalRuleSchema\(\)/, /=\s*serverRequests\(\)/, /=\s*notifications\(\)/]) assert.doesNotMatch(bundle, eager);
  // Built where they are used (engine output is checked once a turn runs); the constants built on import must be gone.
  for (const name of ['ThreadIdSchema', 'TurnIdSchema', 'ItemIdSchema', 'AdmissionIdSchema', 'TimestampSchema', 'JsonObjectSchema', 'UsageBucketSchema', 'McpServerStatusSchema', 'ApprovalRequestSchema', 'EngineEventSchema', 'EngineUsageSchema', 'EngineApprovalRequestSchema', 'ThreadStatusSchema', 'TurnStatusSchema', 'TurnKindSchema', 'ItemKindSchema', 'ItemStatusSchema', 'DeliverySchema', 'AdmissionStateSchema', 'EngineItemKindSchema', 'ApprovalKindSchema', 'ApprovalDecisionSchema', 'ApprovalChoiceSchema', 'RuleEffectSchema']) assert.doesNotMatch(bundle, new RegExp(`\\b${name}\\s*=`), name);
});
