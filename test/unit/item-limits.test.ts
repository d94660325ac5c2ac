import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tx } from '../../src/orchestrator/commit/tx.js';
import { capMetadata, capText, DELTA_CHUNK_CHARS, MetadataError, quoted } from '../../src/orchestrator/decide/item-limits.js';
import { PendingWrites } from '../../src/orchestrator/turns/pending-writes.js';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The item.delta texts PendingWrites would commit for these deltas. */
async function deltasOf(...texts: string[]): Promise<string[]> {
  const pending = new PendingWrites('thr_1', 'turn_1', () => {});
  for (const text of texts) pending.addDelta('item_1', text);
  const out: string[] = [];
  const tx = { now: '', onRollback: () => {}, emit: async (_t: string, _k: string, payload: { text: string }) => out.push(payload.text) } as unknown as Tx;
  await pending.writeAll(tx);
  pending.cancel();
  return out;
}

test('a delta over the chunk size becomes several item.delta events, never splitting a surrogate pair; small ones still coalesce', async () => {
  assert.deepStrictEqual(await deltasOf('a', 'b', 'c'), ['abc']);
  const big = 'x'.repeat(DELTA_CHUNK_CHARS * 2 + 5);
  const chunks = await deltasOf('ab', big);
  assert.deepStrictEqual(chunks.map((c) => c.length), [DELTA_CHUNK_CHARS, DELTA_CHUNK_CHARS, 7]);
  assert.equal(chunks.join(''), `ab${big}`);
  // A pair that would straddle a chunk's end starts the next chunk instead.
  const emoji = `${'y'.repeat(DELTA_CHUNK_CHARS - 1)}\u{1F600}z`;
  const split = await deltasOf(emoji);
  assert.deepStrictEqual(split.map((c) => c.length), [DELTA_CHUNK_CHARS - 1, 3]);
  assert.equal(split.join(''), emoji);
  const joined = await deltasOf('y'.repeat(DELTA_CHUNK_CHARS - 1), '\u{1F600}');
  assert.deepStrictEqual(joined.map((c) => c.length), [DELTA_CHUNK_CHARS - 1, 2]);
});

test('metadata within the cap is kept as a plain JSON copy; an oversized one keeps the entries that fit and is marked', () => {
  const withToJson = { a: 1, when: { toJSON: () => 'now' }, gone: undefined, f: () => 1 };
  assert.deepStrictEqual(capMetadata(withToJson, 100), { a: 1, when: 'now' });
  assert.equal(capMetadata(undefined, 100), undefined);
  const big = { id: 'c1', blob: 'x'.repeat(5000), nested: { deep: 'y'.repeat(5000) }, small: true };
  const capped = capMetadata(big, 2048)!;
  assert.deepStrictEqual(capped, { id: 'c1', small: true, metadataTruncated: { originalBytes: bytes(big), omittedKeys: ['blob', 'nested'] } });
  assert.ok(bytes(capped) <= 2048);
  // Many entries that each fit: as many as fit, the rest counted out, the whole under the cap.
  const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, i]));
  const cut = capMetadata(many, 4096)!;
  assert.ok(bytes(cut) <= 4096, `${bytes(cut)} bytes`);
  assert.equal((cut.metadataTruncated as { originalBytes: number }).originalBytes, bytes(many));
  assert.ok(Object.keys(cut).length > 100);
});

test('metadata that is not JSON is refused with a message naming the entry', () => {
  assert.throws(() => capMetadata({ n: 10n }, 1000), (e: unknown) => e instanceof MetadataError && /metadata "n" is not JSON: .*BigInt/.test(e.message));
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => capMetadata({ c: cycle }, 1000), MetadataError);
});

test('capText cuts to the byte cap with a marker that says how much was cut; quoted cuts names', () => {
  assert.equal(capText('short', 100), 'short');
  const cut = capText('é'.repeat(1000), 100);
  assert.match(cut, /^é+… \[\d+ bytes cut\]$/);
  assert.ok(Buffer.byteLength(cut) <= 100);
  const kept = Buffer.byteLength(cut.slice(0, cut.indexOf('…')));
  assert.equal(cut, `${'é'.repeat(kept / 2)}… [${2000 - kept} bytes cut]`);
  assert.equal(capText('abcdef', 3), 'abc', 'no room for the marker: a plain cut');
  assert.equal(quoted('k'.repeat(500)), `"${'k'.repeat(100)}…"`);
  assert.equal(quoted('a"b'), '"a\\"b"');
});
