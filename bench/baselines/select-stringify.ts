// Baseline of row 6: the same pages of one thread's events read in-process with a prepared
// SELECT and JSON.stringify'd, no RPC. Usage: select-stringify.cjs DB_PATH THREAD_ID PAGE_SIZE
// Prints {"events": N, "bytes": B, "ms": T} on stdout.
import Database from 'better-sqlite3';

const [path, threadId, pageSize] = process.argv.slice(2);
const db = new Database(path!, { readonly: true });
const page = db.prepare<[string, number, number], { seq: number }>(
  'SELECT * FROM events WHERE thread_id = ? AND seq > ? ORDER BY seq LIMIT ?',
);
const limit = Number(pageSize);
const start = performance.now();
let events = 0;
let bytes = 0;
for (let after = 0; ; ) {
  const rows = page.all(threadId!, after, limit);
  if (rows.length === 0) break;
  bytes += JSON.stringify(rows).length;
  events += rows.length;
  after = rows[rows.length - 1]!.seq;
}
process.stdout.write(`${JSON.stringify({ events, bytes, ms: performance.now() - start })}\n`);
