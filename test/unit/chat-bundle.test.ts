import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const map = new URL('../../dist/threadline.cjs.map', import.meta.url);

// serve's start-up must not pay for the terminal frontend: its code is in dist/chat.cjs only.
test('the server bundle holds none of clients/chat nor marked', (t) => {
  if (!existsSync(map)) return t.skip('dist/ not built (npm run build)');
  const sources: string[] = JSON.parse(readFileSync(map, 'utf8')).sources;
  assert.ok(sources.some((s) => s.endsWith('src/main.ts')), 'the server is there');
  assert.deepEqual(sources.filter((s) => s.includes('clients/chat') || s.includes('node_modules/marked')), []);
  const chat: string[] = JSON.parse(readFileSync(new URL('../../dist/chat.cjs.map', import.meta.url), 'utf8')).sources;
  assert.ok(chat.some((s) => s.includes('clients/chat/src/app.ts')));
  assert.deepEqual(chat.filter((s) => /(^|\/)src\/(orchestrator|store|rpc|host)\//.test(s) && !s.includes('clients/')), [], 'no server code in the frontend');
});
