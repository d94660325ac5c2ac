import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl, redactUrls } from '../../src/host/openai/failures.js';

test('redactUrl hides userinfo and secret-looking query values, and leaves any other URL byte for byte', () => {
  assert.equal(redactUrl('https://user:pw@example.com/v1'), 'https://***@example.com/v1');
  assert.equal(redactUrl('https://user@example.com/v1'), 'https://***@example.com/v1');
  assert.equal(redactUrl('https://example.com/v1?api-version=2024&api_key=k&sig=s&Token=t'), 'https://example.com/v1?api-version=2024&api_key=***&sig=***&Token=***');
  for (const plain of ['https://api.openai.com/v1', 'http://127.0.0.1:8080/v1/', 'http://localhost:11434/v1?model=x', 'not a url']) assert.equal(redactUrl(plain), plain);
});

test('redactUrls redacts every URL inside a sentence and keeps the punctuation after it', () => {
  assert.equal(
    redactUrls('cannot reach http://a:b@h/v1: Request cannot be constructed from a URL that includes credentials: http://a:b@h/v1?key=k%2Fchat.'),
    'cannot reach http://***@h/v1: Request cannot be constructed from a URL that includes credentials: http://***@h/v1?key=***.',
  );
  assert.equal(redactUrls('no URL here'), 'no URL here');
});
