import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_TABLE, EVENT_KINDS, METHOD_NAMES, Methods, isMethodName } from '@threadline/protocol';
import { loadExamples, renderProtocolDoc } from '../../scripts/protocol-doc.js';

const docsDir = new URL('../../docs/', import.meta.url);
const doc = readFileSync(new URL('PROTOCOL.md', docsDir), 'utf8');

test('docs/PROTOCOL.md generated regions are what the protocol tables generate', () => {
  assert.ok(renderProtocolDoc(doc) === doc, 'docs/PROTOCOL.md is stale: run npm run docs:write');
});

test('docs/PROTOCOL.md covers every method, event kind and error code', () => {
  for (const method of METHOD_NAMES) assert.ok(doc.includes(`### \`${method}\`\n`), `section of ${method}`);
  for (const kind of EVENT_KINDS) assert.ok(doc.includes(`| \`${kind}\` |`), `row of ${kind}`);
  for (const { code, name } of ERROR_TABLE) assert.ok(doc.includes(`| ${code} | ${name} |`), `row of ${name}`);
  for (const region of ['records', 'methods', 'events', 'notifications', 'errors']) {
    assert.ok(doc.includes(`<!-- generated:${region} -->`), `region ${region}`);
  }
});

test('every method has an example whose request and result parse with its schemas', () => {
  const examples = loadExamples();
  assert.deepStrictEqual(Object.keys(examples).sort(), [...METHOD_NAMES].sort());
  for (const [method, { request, response }] of Object.entries(examples)) {
    assert.ok(isMethodName(method));
    assert.equal(request.method, method);
    const params = Methods[method].params.safeParse(request.params ?? {});
    assert.ok(params.success, `${method} example params: ${params.error?.message}`);
    assert.equal(response.id, request.id);
    const result = Methods[method].result.safeParse(response.result);
    assert.ok(result.success, `${method} example result: ${result.error?.message}`);
  }
});

test('relative links of docs/*.md name files that exist', () => {
  for (const file of readdirSync(docsDir).filter((f) => f.endsWith('.md'))) {
    // Code spans and blocks show link syntax without being links.
    const text = readFileSync(new URL(file, docsDir), 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      assert.ok(existsSync(new URL(target!, docsDir)), `${file} links ${target}, which does not exist`);
      assert.ok(!target!.includes('shared/PROTOCOL.md'), `${file} links outside the repository`);
    }
  }
});
