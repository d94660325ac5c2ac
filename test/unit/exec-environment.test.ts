import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineEnvironment, parseVariableNames, PASSED_VARIABLES } from '../../src/host/exec/environment.js';

const FULL = { PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8', OPENAI_API_KEY: 'sk-x', AWS_SECRET_ACCESS_KEY: 'a', SYSTEMROOT: 'C:\\Windows', EXTRA: 'e' };

test('an engine gets only the minimal variables that are set, plus the ones named', () => {
  assert.deepStrictEqual(engineEnvironment([], FULL, 'linux'), { PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8' });
  assert.deepStrictEqual(engineEnvironment(['EXTRA', 'OPENAI_API_KEY', 'UNSET'], FULL, 'linux'), { PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8', EXTRA: 'e', OPENAI_API_KEY: 'sk-x' });
  assert.equal(engineEnvironment([], FULL, 'win32').SYSTEMROOT, 'C:\\Windows', 'Windows programs need SYSTEMROOT to start');
  assert.deepStrictEqual([...PASSED_VARIABLES], ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TMPDIR', 'TZ']);
});

test('the env option is a comma-separated list of names; anything else is refused naming it', () => {
  assert.deepStrictEqual(parseVariableNames(''), []);
  assert.deepStrictEqual(parseVariableNames(' A_1 , b,,C '), ['A_1', 'b', 'C']);
  assert.throws(() => parseVariableNames('GOOD,BAD=1'), /env: "BAD=1" is not an environment variable name/);
  assert.throws(() => parseVariableNames('1ABC'), /"1ABC"/);
});
