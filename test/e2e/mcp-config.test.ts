import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../fixtures/mcp/harness.js';

const cases: [string, string, RegExp][] = [
  ['not JSON', '{"mcpServers": ', /mcp\.json: not JSON/],
  ['no mcpServers', '{"servers": {}}', /mcp\.json: mcpServers: /],
  ['neither command nor url', '{"mcpServers": {"a": {"args": []}}}', /mcpServers\.a: needs "command" \(a stdio server\) or "url"/],
  ['args not strings', '{"mcpServers": {"a": {"command": "x", "args": [1]}}}', /mcpServers\.a\.args\[0\]: must be a string/],
  ['env value not a string', '{"mcpServers": {"a": {"command": "x", "env": {"K": 1}}}}', /mcpServers\.a\.env\.K: must be a string/],
  ['url not http', '{"mcpServers": {"web": {"url": "ftp://example.com/mcp"}}}', /mcpServers\.web\.url: must be an http\(s\) URL/],
  ['sse', '{"mcpServers": {"old": {"type": "sse", "url": "http://127.0.0.1:1/sse"}}}', /mcpServers\.old\.type: the SSE transport is not supported/],
  ['timeout not positive', '{"mcpServers": {"a": {"command": "x", "toolTimeoutSec": 0}}}', /mcpServers\.a\.toolTimeoutSec: /],
];

for (const [what, text, message] of cases) {
  test(`mcp: --mcp-config with ${what} stops serve and acp at start-up with exit 2 naming the field`, async (t) => {
    const file = join(tempDir(t), 'mcp.json');
    writeFileSync(file, text);
    for (const command of ['serve', 'acp']) {
      const { code, stderr, stdout } = await runCli([command, '--db', ':memory:', '--mcp-config', file]);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      assert.match(stderr, message);
      assert.match(stderr, /--mcp-config: /);
      assert.equal(stderr.trim().split('\n').length, 1, 'one line');
    }
  });
}

test('mcp: --mcp-config naming no file exits 2', async (t) => {
  const { code, stderr } = await runCli(['serve', '--db', ':memory:', '--mcp-config', join(tempDir(t), 'missing.json')]);
  assert.equal(code, 2);
  assert.match(stderr, /--mcp-config: cannot read .*missing\.json: no such file/);
});
