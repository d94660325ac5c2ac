import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { serverPrefixes, toolNames, TOOL_NAME } from '../../src/tools/names.js';
import { resultText } from '../../src/tools/mcp/result.js';

test('mcp names: namespaced and sanitised to ^[a-zA-Z0-9_-]{1,64}$', () => {
  const prefixes = serverPrefixes(['github', 'my server.v2']);
  assert.equal(prefixes.get('github'), 'mcp__github__');
  assert.equal(prefixes.get('my server.v2'), 'mcp__my_server_v2__');
  const names = toolNames('mcp__github__', ['create_issue', 'search/code', 'x'.repeat(100)]);
  assert.equal(names.get('create_issue'), 'mcp__github__create_issue');
  assert.equal(names.get('search/code'), 'mcp__github__search_code');
  assert.equal(names.get('x'.repeat(100))!.length, 64);
});

test('mcp names: servers or tools that sanitise alike stay apart, the same way whatever the order', () => {
  const prefixes = serverPrefixes(['a.b', 'a_b']);
  assert.notEqual(prefixes.get('a.b'), prefixes.get('a_b'));
  assert.deepStrictEqual(serverPrefixes(['a_b', 'a.b']), prefixes);
  const one = toolNames('mcp__s__', ['do.it', 'do_it', 'do it']);
  const two = toolNames('mcp__s__', ['do it', 'do_it', 'do.it']);
  assert.deepStrictEqual(one, two);
  assert.equal(new Set(one.values()).size, 3);
  assert.equal(one.get('do it'), 'mcp__s__do_it', 'the first in sorted order keeps the plain name');
});

test('mcp names: any server and tool names give valid, unique model names (property)', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ maxLength: 80 }), { minLength: 1, maxLength: 5 }), fc.uniqueArray(fc.string({ maxLength: 120 }), { maxLength: 20 }), (servers, tools) => {
      const prefixes = serverPrefixes(servers);
      assert.equal(new Set(prefixes.values()).size, servers.length);
      for (const prefix of prefixes.values()) {
        const names = [...toolNames(prefix, tools).values()];
        assert.equal(new Set(names).size, tools.length);
        for (const name of names) assert.match(name, TOOL_NAME);
      }
    }),
  );
});

test('mcp results: text parts joined, images named, isError marks a failure, long output cut on a character boundary', () => {
  assert.deepStrictEqual(resultText({ content: [{ type: 'text', text: 'a' }, { type: 'image', mimeType: 'image/png', data: 'AAAA' }] }, 100), { ok: true, text: 'a\n[image image/png, 3 bytes]' });
  assert.deepStrictEqual(resultText({ content: [{ type: 'text', text: 'nope' }], isError: true }, 100), { ok: false, text: 'error: nope' });
  assert.deepStrictEqual(resultText({ content: [], structuredContent: { n: 1 } }, 100), { ok: true, text: '{"n":1}' });
  assert.deepStrictEqual(resultText({ content: [{ type: 'text', text: 'ééé' }] }, 3), { ok: true, text: 'é\n[output truncated at 3 bytes]\n' });
});
