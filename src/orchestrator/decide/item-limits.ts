/**
 * Caps on what a host reports, so that no event (nor `approval/request`) grows with what a host
 * or a model sends: every free-form field a host fills is cut here, before it is stored or sent.
 *
 * The bound this gives (checked by test/e2e/event-size-host.test.ts): every event's JSON is at
 * most `maxEventBytes(--max-item-bytes)` — 7 × the cap + 400 KiB, about 7.4 MiB at the default
 * 1 MiB, under the 8 MiB a protocol-package reader accepts by default. The 7: an item event holds
 * its detail (≤ cap UTF-8 bytes, up to 6 × that once JSON escapes control characters) and its
 * metadata (≤ cap, measured as JSON).
 */

/** Text of one `item.delta` event, in UTF-16 units: a larger delta is split into several events. */
export const DELTA_CHUNK_CHARS = 64 * 1024;
/** An approval's summary is one line for a prompt; past this it is cut (its detail shows the rest). */
export const APPROVAL_SUMMARY_BYTES = 1024;
/** A turn's `error` (and any message built from what a host threw): past this it is cut. */
export const ERROR_BYTES = 16 * 1024;
/** A host-given name (item key, event type) quoted in an error message: past this it is cut. */
const QUOTED_CHARS = 100;
/** The key of the marker an oversized `metadata` gets. */
export const METADATA_MARKER = 'metadataTruncated';
/** Room kept for the marker: 4 names of ≤ 33 characters are ≤ 4 × 200 bytes even escaped. */
const MARKER_RESERVE = 1024;

/** The largest event JSON a server with this `--max-item-bytes` writes (see above). */
export function maxEventBytes(maxItemBytes: number): number {
  return 7 * maxItemBytes + 400 * 1024;
}

/** `text` within `maxBytes` UTF-8 bytes; a cut one ends with a marker saying how much was cut. */
export function capText(text: string, maxBytes: number): string {
  // A string cannot be shorter in bytes than in UTF-16 units / 2: skip the byte count when safe.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return text;
  const marker = (kept: number) => `… [${bytes - kept} bytes cut]`;
  const room = maxBytes - Buffer.byteLength(marker(0), 'utf8');
  if (room <= 0) return cutToBytes(text, maxBytes);
  const kept = cutToBytes(text, room);
  return kept + marker(Buffer.byteLength(kept, 'utf8'));
}

/** A host-given name for an error message: quoted, and cut past 100 characters. */
export function quoted(name: unknown): string {
  const text = String(name);
  return JSON.stringify(text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text);
}

/** A host reported metadata that is not JSON (a BigInt, a cycle, a throwing toJSON). */
export class MetadataError extends Error {}

/**
 * A JSON copy of `metadata` within `maxBytes` (its JSON's UTF-8 bytes). An oversized one keeps
 * its top-level entries, in order, that still fit; the others are left out and named in the
 * marker `metadataTruncated: { originalBytes, omittedKeys }` (the first few names, cut;
 * `originalBytes` is the JSON size, not counting escapes in a string entry over the cap). The copy
 * is plain data: nothing a host's getters or `toJSON` return later can change or grow it.
 */
export function capMetadata(metadata: Record<string, unknown> | undefined, maxBytes: number): Record<string, unknown> | undefined {
  if (metadata === undefined) return undefined;
  const kept: { key: string; entry: string; bytes: number }[] = [];
  const omitted: string[] = [];
  let keptBytes = 2; // {}, and a comma counted per entry (one more than needed)
  let originalBytes = 1; // {}, and a comma between entries
  for (const key of Object.keys(metadata)) {
    const value = metadata[key];
    if (typeof value === 'string' && value.length > maxBytes) {
      // Cannot fit: measured without a JSON copy of what may be hundreds of MB (escapes uncounted).
      originalBytes += Buffer.byteLength(JSON.stringify(key), 'utf8') + Buffer.byteLength(value, 'utf8') + 4;
      omitted.push(key);
      continue;
    }
    const json = serialize(value, key);
    if (json === undefined) continue; // JSON leaves it out too
    const entry = json === TOO_LONG ? '' : `${JSON.stringify(key)}:${json}`;
    const bytes = json === TOO_LONG ? Infinity : Buffer.byteLength(entry, 'utf8') + 1;
    if (bytes !== Infinity) originalBytes += bytes;
    if (keptBytes + bytes <= maxBytes) {
      kept.push({ key, entry, bytes });
      keptBytes += bytes;
    } else omitted.push(key);
  }
  const parse = () => JSON.parse(`{${kept.map((k) => k.entry).join(',')}}`) as Record<string, unknown>;
  if (omitted.length === 0) return parse();
  // Over the cap: the marker needs room too, so entries go from the end until it has it.
  while (keptBytes > maxBytes - MARKER_RESERVE && kept.length > 0) {
    const last = kept.pop()!;
    keptBytes -= last.bytes;
    omitted.unshift(last.key);
  }
  const copy = parse();
  const names = omitted.slice(0, 4).map((k) => (k.length > 32 ? `${k.slice(0, 32)}…` : k));
  copy[METADATA_MARKER] = { originalBytes, omittedKeys: names };
  return copy;
}

/** Stands for a value whose JSON is longer than any string can be. */
const TOO_LONG = Symbol('too long');

/** A value's JSON (undefined where JSON leaves it out), or TOO_LONG. */
function serialize(value: unknown, key: string): string | typeof TOO_LONG | undefined {
  try {
    return JSON.stringify(value) as string | undefined;
  } catch (error) {
    if (error instanceof RangeError && /string length/i.test(error.message)) return TOO_LONG;
    throw new MetadataError(`metadata ${quoted(key)} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes (never half a character). */
export function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  // No more than maxBytes characters fit: encode only those, not a host's 300 MB string.
  const head = text.length > maxBytes ? text.slice(0, Math.max(0, maxBytes)) : text;
  const cut = new TextDecoder().decode(Buffer.from(head, 'utf8').subarray(0, Math.max(0, maxBytes)));
  return cut.endsWith('\uFFFD') && !text.startsWith(cut) ? cut.slice(0, -1) : cut;
}
