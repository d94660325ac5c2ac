import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineSplitter } from '../../src/host/exec/line-splitter.js';

function split(maxLineBytes: number, chunks: (string | Buffer)[]) {
  const out: string[] = [];
  const splitter = new LineSplitter(maxLineBytes, (line) => out.push(line), (head) => out.push(`OVERFLOW:${head}`));
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  splitter.end();
  return out;
}

test('lines split across chunks in any way come out whole, a trailing \\r dropped, a last line without newline kept', () => {
  assert.deepStrictEqual(split(100, ['{"a"', ':1}\n{"b":2}\r\n\n', 'tail']), ['{"a":1}', '{"b":2}', '', 'tail']);
});

test('a multi-byte character cut between chunks is decoded whole', () => {
  const bytes = Buffer.from('héllo €\n');
  assert.deepStrictEqual(split(100, [bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)]), ['héllo €']);
});

test('a line of exactly the cap passes; one byte more is reported once with its head, the rest of it dropped, later lines kept', () => {
  assert.deepStrictEqual(split(4, ['abcd\n']), ['abcd']);
  assert.deepStrictEqual(split(4, ['abc', 'de', 'fgh', 'ij\nok\n']), ['OVERFLOW:abcd', 'ok']);
  assert.deepStrictEqual(split(4, ['abcdefgh']), ['OVERFLOW:abcd'], 'an overlong last line without newline is not emitted again at the end');
});

test('a stream that never writes a newline is held to the cap, however much arrives', () => {
  const out: string[] = [];
  const splitter = new LineSplitter(1024, (line) => out.push(line), (head) => out.push(`OVERFLOW ${head.length}`));
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  for (let i = 0; i < 1000; i++) splitter.push(chunk); // 64 MiB
  assert.deepStrictEqual(out, ['OVERFLOW 1024']);
  assert.equal((splitter as unknown as { held: number }).held, 0);
});

test('property: any lines under the cap, cut into any chunks, come out as written', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }).filter((l) => !/[\n\r]/.test(l))), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
      const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...points, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1]!, end));
      assert.deepStrictEqual(split(200, chunks), lines);
    }),
  );
});
