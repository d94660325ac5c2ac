import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostTool, ToolSource, ToolSourceStatus } from '../../src/tools/port.js';
import { ToolRegistry } from '../../src/tools/registry.js';

function fakeSource(name: string, tools: string[]): ToolSource & { change(s: Partial<ToolSourceStatus>): void } {
  let status: ToolSourceStatus = { server: name, state: 'starting', tools: 0, generation: 0 };
  const listeners = new Set<(s: ToolSourceStatus) => void>();
  return {
    name,
    list: (): HostTool[] => tools.map((t) => ({ name: t, description: t, inputSchema: { type: 'object' }, approval: 'tool' })),
    describe: (tool) => ({ summary: `${name}:${tool}`, detail: '' }),
    call: async (tool) => ({ ok: true, text: `${name} ran ${tool}` }),
    status: () => status,
    onChange: (l) => (listeners.add(l), () => listeners.delete(l)),
    close: async () => undefined,
    change(s) {
      status = { ...status, ...s, generation: status.generation + 1 };
      for (const l of listeners) l(status);
    },
  };
}

test('mcp registry: declared servers are `starting` before their source exists; changes reach listeners in order', () => {
  const registry = new ToolRegistry();
  registry.declare('a', { command: 'x' });
  registry.declare('b', { url: 'http://127.0.0.1:1/mcp' });
  assert.deepStrictEqual(registry.statuses().map((s) => [s.server, s.state]), [['a', 'starting'], ['b', 'starting']]);
  const seen: string[] = [];
  registry.onStatus((s) => seen.push(`${s.server}:${s.state}:${s.generation}`));
  const a = fakeSource('a', ['mcp__a__t']);
  registry.attach('a', a);
  a.change({ state: 'ready', tools: 1 });
  registry.fail('b', 'could not load the MCP client');
  assert.deepStrictEqual(seen, ['a:ready:1', 'b:failed:1']);
  assert.deepStrictEqual(registry.statuses().map((s) => s.state), ['ready', 'failed']);
});

test('mcp registry: two sources offering the same model name both stay callable, each under its own name', async () => {
  const registry = new ToolRegistry();
  registry.declare('a__b', {});
  registry.declare('a', {});
  registry.attach('a__b', fakeSource('a__b', ['mcp__a__b__c']));
  registry.attach('a', fakeSource('a', ['mcp__a__b__c']));
  const names = registry.list().map((t) => t.name);
  assert.equal(names.length, 2);
  assert.equal(new Set(names).size, 2);
  for (const name of names) assert.match(name, /^[a-zA-Z0-9_-]{1,64}$/);
  assert.deepStrictEqual(await registry.call(names[0]!, {}, { signal: new AbortController().signal }), { ok: true, text: 'a__b ran mcp__a__b__c' });
  assert.deepStrictEqual(await registry.call(names[1]!, {}, { signal: new AbortController().signal }), { ok: true, text: 'a ran mcp__a__b__c' });
  assert.equal((await registry.call('mcp__nope__x', {}, { signal: new AbortController().signal })).ok, false);
});
