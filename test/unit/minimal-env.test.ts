import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MINIMAL_ENV_NAMES, minimalEnvironment, parseVariableNames } from '../../src/host/minimal-env.js';

const FULL = { PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8', LC_CTYPE: 'C', OPENAI_API_KEY: 'sk-x', AWS_SECRET_ACCESS_KEY: 's', EXTRA: 'e', SYSTEMROOT: 'C:\\Windows' };

test('an engine or tool shell gets the minimal variables, LC_*, and only the secrets named', () => {
  assert.deepStrictEqual(minimalEnvironment([], FULL, 'linux'), { PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8', LC_CTYPE: 'C' });
  assert.deepStrictEqual(minimalEnvironment(['EXTRA', 'OPENAI_API_KEY', 'UNSET'], FULL, 'linux'), {
    PATH: '/bin',
    HOME: '/home/u',
    LANG: 'C.UTF-8',
    LC_CTYPE: 'C',
    OPENAI_API_KEY: 'sk-x',
    EXTRA: 'e',
  });
  assert.equal(minimalEnvironment([], FULL, 'win32').SYSTEMROOT, 'C:\\Windows', 'Windows programs need SYSTEMROOT to start');
  assert.deepStrictEqual([...MINIMAL_ENV_NAMES], ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TERM', 'TMPDIR', 'TZ']);
});

test('the env option is a comma-separated list of variable names; anything else is refused naming it', () => {
  assert.deepStrictEqual(parseVariableNames(''), []);
  assert.deepStrictEqual(parseVariableNames(' A_1 , b,,C '), ['A_1', 'b', 'C']);
  assert.throws(() => parseVariableNames('GOOD,BAD=1'), /env: "BAD=1" is not an environment variable name/);
  assert.throws(() => parseVariableNames('1ABC'), /"1ABC"/);
});
