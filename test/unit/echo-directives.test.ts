import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countWords, parseEchoScript, type EchoScript } from '../../src/host/echo-directives.js';

const cases: { title: string; prompt: string; expected: EchoScript }[] = [
  {
    title: 'a prompt without directives is all text',
    prompt: 'hello world',
    expected: { text: 'hello world', hang: false },
  },
  {
    title: 'text lines are joined and their whitespace normalized to single spaces',
    prompt: '  hello \t  big\n\n   world  \n',
    expected: { text: 'hello big world', hang: false },
  },
  {
    title: '!sleep MS sets the wait before replying',
    prompt: '!sleep 250\nhi',
    expected: { text: 'hi', sleepMs: 250, hang: false },
  },
  {
    title: '!word-delay MS sets the wait between streamed words',
    prompt: 'hi\n!word-delay 15',
    expected: { text: 'hi', wordDelayMs: 15, hang: false },
  },
  {
    title: '!hang makes the turn run until interrupted',
    prompt: '!hang\nwait here',
    expected: { text: 'wait here', hang: true },
  },
  {
    title: '!fail-start MESSAGE makes the engine throw MESSAGE at start',
    prompt: '!fail-start engine  exploded\nhi',
    expected: { text: 'hi', failStart: 'engine  exploded', hang: false },
  },
  {
    title: '!fail-start without a message uses a default message',
    prompt: '!fail-start',
    expected: { text: '', failStart: 'echo engine failed to start', hang: false },
  },
  {
    title: '!fail MESSAGE ends the turn failed with MESSAGE',
    prompt: 'one two\n!fail boom now',
    expected: { text: 'one two', fail: 'boom now', hang: false },
  },
  {
    title: '!fail without a message uses a default message',
    prompt: '!fail',
    expected: { text: '', fail: 'echo engine failed', hang: false },
  },
  {
    title: '!tool KIND SUMMARY adds a tool call needing approval of KIND',
    prompt: '!tool shell rm -rf build\nok',
    expected: { text: 'ok', tool: { kind: 'shell', summary: 'rm -rf build' }, hang: false },
  },
  {
    title: '!tool accepts each approval kind: edit',
    prompt: '!tool edit src/a.ts',
    expected: { text: '', tool: { kind: 'edit', summary: 'src/a.ts' }, hang: false },
  },
  {
    title: '!tool KIND without a summary gets a default summary',
    prompt: '!tool tool',
    expected: { text: '', tool: { kind: 'tool', summary: 'tool call' }, hang: false },
  },
  {
    title: '!usage IN OUT reports that usage instead',
    prompt: '!usage 12 34\nx',
    expected: { text: 'x', usage: { inputTokens: 12, outputTokens: 34 }, hang: false },
  },
  {
    title: '!repeat N repeats the text N times',
    prompt: '!repeat 3\nab',
    expected: { text: 'ab', repeat: 3, hang: false },
  },
  {
    title: 'every directive together, in any order, around text lines',
    prompt: 'first\n!sleep 1\n!word-delay 2\nsecond\n!hang\n!fail-start fs\n!fail f\n!tool edit e s\n!usage 3 4\n!repeat 5\nthird',
    expected: {
      text: 'first second third',
      sleepMs: 1,
      wordDelayMs: 2,
      hang: true,
      failStart: 'fs',
      fail: 'f',
      tool: { kind: 'edit', summary: 'e s' },
      usage: { inputTokens: 3, outputTokens: 4 },
      repeat: 5,
    },
  },
  {
    title: 'an unknown directive (!important) stays text',
    prompt: '!important read this\nplease',
    expected: { text: '!important read this please', hang: false },
  },
  {
    title: 'a bare ! stays text',
    prompt: '!\nyes',
    expected: { text: '! yes', hang: false },
  },
  {
    title: '!sleep with a non-numeric argument (!sleep soon) stays text',
    prompt: '!sleep soon',
    expected: { text: '!sleep soon', hang: false },
  },
  {
    title: '!sleep without an argument stays text',
    prompt: '!sleep',
    expected: { text: '!sleep', hang: false },
  },
  {
    title: '!word-delay with a negative argument stays text',
    prompt: '!word-delay -5',
    expected: { text: '!word-delay -5', hang: false },
  },
  {
    title: '!tool with an unknown kind (!tool banana x) stays text',
    prompt: '!tool banana x',
    expected: { text: '!tool banana x', hang: false },
  },
  {
    title: '!tool without a kind stays text',
    prompt: '!tool',
    expected: { text: '!tool', hang: false },
  },
  {
    title: '!usage with one number stays text',
    prompt: '!usage 5',
    expected: { text: '!usage 5', hang: false },
  },
  {
    title: '!usage with a non-numeric number stays text',
    prompt: '!usage 5 many',
    expected: { text: '!usage 5 many', hang: false },
  },
  {
    title: '!repeat with a fractional count stays text',
    prompt: '!repeat 2.5',
    expected: { text: '!repeat 2.5', hang: false },
  },
  {
    title: 'a ! that does not start the line is text',
    prompt: 'say !hang please',
    expected: { text: 'say !hang please', hang: false },
  },
  {
    title: 'CRLF line endings separate lines like LF',
    prompt: '!sleep 10\r\n!usage 1 2\r\nhello\r\nworld\r\n',
    expected: { text: 'hello world', sleepMs: 10, usage: { inputTokens: 1, outputTokens: 2 }, hang: false },
  },
  {
    title: 'CRLF line endings do not leak \\r into directive messages',
    prompt: '!fail bad thing\r\n!tool shell ls -la\r\nx',
    expected: { text: 'x', fail: 'bad thing', tool: { kind: 'shell', summary: 'ls -la' }, hang: false },
  },
  {
    title: 'an empty prompt is empty text',
    prompt: '',
    expected: { text: '', hang: false },
  },
];

for (const { title, prompt, expected } of cases) {
  test(`echo script: ${title}`, () => {
    assert.deepStrictEqual(parseEchoScript(prompt), expected);
  });
}

const wordCases: { text: string; expected: number }[] = [
  { text: '', expected: 0 },
  { text: '   ', expected: 0 },
  { text: 'one', expected: 1 },
  { text: 'echo[1]: hello world', expected: 3 },
  { text: '  spaced\tout\r\nwords  ', expected: 3 },
];

for (const { text, expected } of wordCases) {
  test(`countWords(${JSON.stringify(text)}) is ${expected}`, () => {
    assert.equal(countWords(text), expected);
  });
}
