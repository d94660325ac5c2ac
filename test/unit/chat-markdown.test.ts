import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MarkdownLines } from '../../clients/chat/src/view/markdown.js';
import { colourWanted, displayWidth, makeStyle } from '../../clients/chat/src/view/style.js';

test('markdown lines without colour: markup removed, structure kept, nothing dropped', () => {
  const md = new MarkdownLines(makeStyle(false));
  const lines = [
    '# Title',
    'some **bold**, *italic*, ~~gone~~ and `code` with a [link](https://x.dev) and <https://y.dev>',
    '- item one',
    '  * nested [x] not a box',
    '- [x] done',
    '3. third',
    '> quoted',
    '---',
    '```ts',
    'const a = **not bold**;',
    '```',
    'a & b < c',
  ].map((l) => md.line(l));
  assert.deepEqual(lines, [
    'Title',
    'some bold, italic, gone and code with a link (https://x.dev) and https://y.dev',
    '• item one',
    '  • nested [x] not a box',
    '• ☑ done',
    '3. third',
    '│ quoted',
    '─'.repeat(40),
    '─── ts',
    '  const a = **not bold**;',
    '───',
    'a & b < c',
  ]);
});

test('with colour, bold is bold and code is cyan', () => {
  const md = new MarkdownLines(makeStyle(true));
  assert.equal(md.line('**b** `c`'), '\x1b[1mb\x1b[22m \x1b[36mc\x1b[39m');
});

test('colour only on a terminal, and never with NO_COLOR or TERM=dumb', () => {
  assert.equal(colourWanted({ isTTY: true }, {}), true);
  assert.equal(colourWanted({ isTTY: false }, {}), false);
  assert.equal(colourWanted({}, {}), false);
  assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colourWanted({ isTTY: true }, { TERM: 'dumb' }), false);
});

test('display width: escape codes take none, wide characters two', () => {
  assert.equal(displayWidth('\x1b[1mabc\x1b[22m'), 3);
  assert.equal(displayWidth('日本'), 4);
  assert.equal(displayWidth('e\u0301'), 1);
});
