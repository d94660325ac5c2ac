import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const dist = (file: string) => new URL(`../../dist/${file}`, import.meta.url);
const sources = (bundle: string): string[] => JSON.parse(readFileSync(dist(`${bundle}.map`), 'utf8')).sources;

// serve's start-up reads and copies every byte of dist/threadline.cjs (issue 17): what only some
// starts need lives in files of its own (scripts/build.mjs).
test('serve’s bundle leaves the ACP agent to dist/acp.cjs and the Postgres driver to dist/pg.cjs', (t) => {
  if (!existsSync(dist('threadline.cjs.map'))) return t.skip('dist/ not built (npm run build)');
  const serve = sources('threadline.cjs');
  assert.ok(serve.some((s) => s.endsWith('src/store/postgres/store.ts')), 'the Postgres adapter is there');
  assert.deepEqual(serve.filter((s) => /node_modules\/(@agentclientprotocol|pg[-/])|(^|\/)src\/acp\//.test(s)), []);
  assert.match(readFileSync(dist('threadline.cjs'), 'latin1'), /require\("\.\/pg\.cjs"\)/, 'the adapter requires the driver’s own file');
  const acp = sources('acp.cjs');
  assert.ok(acp.some((s) => s.endsWith('src/acp/agent.ts')) && acp.some((s) => s.includes('node_modules/@agentclientprotocol/sdk/')));
  assert.ok(sources('pg.cjs').some((s) => s.includes('node_modules/pg/lib/client.js')));
});
