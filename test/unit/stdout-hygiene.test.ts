import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

test('nothing in src/ writes to the console: stdout is the protocol, logs go through src/log.ts', () => {
  const offenders = sourceFiles(src).filter((file) => /\bconsole\.\w+\(/.test(readFileSync(file, 'utf8')));
  assert.deepStrictEqual(offenders, []);
});
