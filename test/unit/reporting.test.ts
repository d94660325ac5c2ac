import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { transcriptTurns } from '../../src/orchestrator/operations/history/export-import.js';
import { boundSnippet, MAX_TERMS, searchTerms, SNIPPET_CHARS } from '../../src/orchestrator/operations/history/search.js';

test('searchTerms keeps words only: FTS5 syntax is a separator, operator words are words', () => {
  assert.deepStrictEqual(searchTerms('"quoted" AND (near* OR col:x) -minus ^caret'), ['quoted', 'AND', 'near', 'OR', 'col', 'x', 'minus', 'caret']);
  assert.deepStrictEqual(searchTerms('Ünïcödé 東京 x_y 3.14'), ['Ünïcödé', '東京', 'x', 'y', '3', '14']);
  assert.deepStrictEqual(searchTerms('"'), []);
  assert.equal(searchTerms('w '.repeat(100)).length, MAX_TERMS);
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (q) => searchTerms(q).every((t) => /^[\p{L}\p{N}\p{M}\p{Co}]+$/u.test(t))));
});

test('boundSnippet cuts to 200 characters (code points), marking the cut', () => {
  assert.equal(boundSnippet('short'), 'short');
  const cut = boundSnippet('😀'.repeat(300));
  assert.equal(Array.from(cut).length, SNIPPET_CHARS);
  assert.ok(cut.endsWith('…'));
});

test('transcriptTurns: a user message with the replies after it is one turn; consecutive user messages join', () => {
  const u = (text: string) => ({ role: 'user' as const, text });
  const a = (text: string) => ({ role: 'assistant' as const, text });
  assert.deepStrictEqual(transcriptTurns([a('welcome'), u('hi'), u('there'), a('hello'), a('more'), u('bye')]), [
    { assistant: ['welcome'] },
    { user: 'hi\nthere', assistant: ['hello', 'more'] },
    { user: 'bye', assistant: [] },
  ]);
});
