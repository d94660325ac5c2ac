import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startChat } from '../helpers/tmux.js';

// An engine for the exec host (docs/engine-protocol.md) that thinks, then streams a markdown
// document in 7-character pieces: what a real model sends, which the echo host cannot.
const ENGINE = `
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const doc = '# The plan\\n\\nSome **bold** words and \\x60inline code\\x60.\\n\\n- first point\\n- second point\\n\\n\\x60\\x60\\x60js\\nconst answer = 42; // **not bold**\\n\\x60\\x60\\x60\\nDone.';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
require('readline').createInterface({ input: process.stdin }).on('line', async (line) => {
  const m = JSON.parse(line);
  if (m.type === 'load') send({ type: 'ready' });
  if (m.type !== 'turn.start') return;
  const turnId = m.turnId;
  send({ type: 'item.started', turnId, key: 'r', kind: 'reasoning' });
  send({ type: 'item.delta', turnId, key: 'r', text: 'thinking it over' });
  send({ type: 'item.completed', turnId, key: 'r' });
  send({ type: 'item.started', turnId, key: 'a', kind: 'agent_message' });
  for (const piece of doc.match(/[\\s\\S]{1,7}/g)) {
    send({ type: 'item.delta', turnId, key: 'a', text: piece });
    await sleep(5);
  }
  send({ type: 'item.completed', turnId, key: 'a' });
  send({ type: 'turn.end', turnId });
}).on('close', () => process.exit(0));
`;

test('a real engine: reasoning is dimmed, streamed markdown is rendered line by line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-engine-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'engine.cjs'), ENGINE);
  const chat = await startChat(t, ['--host', 'exec', '--host-option', `command="${process.execPath}" "${join(dir, 'engine.cjs')}"`]);
  await chat.type('make a plan');
  await chat.keys('Enter');
  const screen = await chat.waitFor('Done.');
  const lines = screen.split('\n').map((l) => l.trimEnd());
  const from = lines.indexOf('thinking it over');
  assert.ok(from > 0, screen);
  assert.deepEqual(lines.slice(from, from + 11), [
    'thinking it over',
    'The plan',
    '',
    'Some bold words and inline code.',
    '',
    '• first point',
    '• second point',
    '',
    '─── js',
    '  const answer = 42; // **not bold**',
    '───',
  ]);
  const styled = await chat.styledScreen();
  assert.match(styled, /\x1b\[(?:[0-9;]*;)?2(?:;[0-9;]*)?m[^\n]*thinking it over/, 'reasoning is dim');
});
