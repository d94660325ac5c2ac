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

// scripts/esbuild-plugins.mjs (oneJsonRpcImport): each ES module importing vscode-jsonrpc, a CommonJS
// package, would get its own copy of its ~150 exports at every start (five in serve's: 0.65 ms of CPU).
test('the server bundle copies vscode-jsonrpc’s exports once, not once per importing module', () => {
  const bundle = readFileSync(new URL('../../dist/threadline.cjs', import.meta.url), 'latin1');
  const copies = bundle.match(/__toESM\(require_main\(\)/g) ?? [];
  assert.match(bundle, /require_main=__commonJS\(\{"node_modules\/vscode-jsonrpc\/lib\/node\/main\.js"/, 'vscode-jsonrpc is bundled under this name');
  assert.equal(copies.length, 1);
});
