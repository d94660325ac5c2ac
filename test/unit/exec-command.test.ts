import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitCommand } from '../../src/host/exec/command.js';

test('splitCommand splits on whitespace, groups quotes, honours backslashes and expands nothing', () => {
  const cases: [string, string[]][] = [
    ['python3 examples/engines/echo_engine.py', ['python3', 'examples/engines/echo_engine.py']],
    ['  node   "my engine.js"  --flag ', ['node', 'my engine.js', '--flag']],
    [`sh -c 'echo "$HOME" *'`, ['sh', '-c', 'echo "$HOME" *']],
    ['a\\ b "c\\"d" \'\'', ['a b', 'c"d', '']],
  ];
  for (const [line, words] of cases) assert.deepStrictEqual(splitCommand(line), words, line);
  assert.throws(() => splitCommand('python3 "unclosed'), /unbalanced " in command/);
});
