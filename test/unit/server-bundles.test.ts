import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const dist = (file: string) => new URL(`../../dist/${file}`, import.meta.url);
const sources = (bundle: string): string[] => JSON.parse(readFileSync(dist(`${bundle}.map`), 'utf8')).sources;

// serve's start-up reads and copies every byte of dist/threadline.cjs (issue 17): what only some
// starts need lives in files of its own (scripts/build.mjs).
test('serve’s bundle leaves the ACP agent to dist/acp.cjs and the Postgres adapter to dist/postgres.cjs', (t) => {
  if (!existsSync(dist('threadline.cjs.map'))) return t.skip('dist/ not built (npm run build)');
  const serve = sources('threadline.cjs');
  assert.ok(serve.some((s) => s.endsWith('src/store/sqlite/store.ts')), 'the SQLite adapter is there');
  assert.deepEqual(serve.filter((s) => /node_modules\/(@agentclientprotocol|pg[-/])|(^|\/)src\/(acp|store\/postgres)\//.test(s) && !s.endsWith('src/store/postgres/location.ts')), []);
  assert.match(readFileSync(dist('threadline.cjs'), 'latin1'), /require\("\.\/postgres\.cjs"\)/, 'a postgres:// store requires the adapter’s own file');
  const acp = sources('acp.cjs');
  assert.ok(acp.some((s) => s.endsWith('src/acp/agent.ts')) && acp.some((s) => s.includes('node_modules/@agentclientprotocol/sdk/')));
  // The adapter with its driver, and of the protocol package only the redaction of MCP secrets:
  // not a second copy of its schemas, zod or its client.
  const postgres = sources('postgres.cjs');
  assert.ok(postgres.some((s) => s.endsWith('src/store/postgres/store.ts')) && postgres.some((s) => s.includes('node_modules/pg/lib/client.js')));
  assert.deepEqual(postgres.filter((s) => /(^|\/)protocol\/|node_modules\/(zod|vscode-jsonrpc)\//.test(s)), ['../protocol/mcp-redact.ts']);
});

// zod/mini, not classic zod: classic's schema classes install some forty methods on their
// prototypes at their first construction and bring its JSON Schema processors along, ~90 KB of
// serve's bundle and ~2 ms of CPU a start (issue 17). One classic import anywhere in src/ or
// the protocol package brings it all back.
test('serve’s bundle and the terminal frontend’s carry zod/mini and none of classic zod', (t) => {
  if (!existsSync(dist('threadline.cjs.map'))) return t.skip('dist/ not built (npm run build)');
  for (const bundle of ['threadline.cjs', 'chat.cjs']) {
    const zod = sources(bundle).filter((s) => s.includes('node_modules/zod/'));
    assert.ok(zod.some((s) => s.endsWith('zod/v4/mini/schemas.js')), `${bundle} has zod/mini`);
    assert.deepEqual(zod.filter((s) => /zod\/v4\/classic\//.test(s)), [], `${bundle} has no classic zod`);
  }
});
