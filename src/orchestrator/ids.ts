import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { ID_PREFIXES, type IdKind } from '@threadline/protocol';

/**
 * Random bytes for ids, drawn 4 KiB at a time. uuid 14 asks WebCrypto for 16 bytes per id, which
 * cost 5-20 µs an id (a fifth of an admission's JavaScript); one draw now serves 256 ids. A draw
 * costs about the same for 256 bytes as for 4 KiB (~2.5 µs here, far more right after an fsync),
 * so the larger pool makes it rarer. Ids are not secrets (every client sees them), so bytes
 * waiting in memory reveal nothing.
 */
const pool = new Uint8Array(4096);
let used = pool.length;
function randomBytes(): Uint8Array {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool.subarray(used, (used += 16));
}

/**
 * uuid's own v7 clock rule (RFC 9562 §6.2, method 1), kept here because v7 skips its state when
 * given the random bytes: within one millisecond the 31-bit counter counts up from a random
 * start, so ids made by this process sort in the order they were made.
 */
let lastMs = -Infinity;
let seq = 0;

/** A prefixed UUIDv7: time-ordered, so ids sort by creation (strictly, within one process). */
export function newId(kind: IdKind): string {
  const random = randomBytes();
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs++; // the counter wrapped: borrow the next millisecond
  }
  return `${ID_PREFIXES[kind]}${uuidv7({ random, msecs: lastMs, seq })}`;
}
