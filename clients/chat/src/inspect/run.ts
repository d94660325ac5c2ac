import { ThreadlineError, type Item, type Thread, type ThreadEvent, type Turn } from '@threadline/protocol';
import { UsageError } from '../args.js';
import { Connection } from '../connection.js';
import { ThreadFeed } from '../feed.js';
import { errorText } from '../startup.js';
import { colourWanted, makeStyle } from '../view/style.js';
import type { InspectOptions } from './args.js';
import { eventLine, threadDetail, threadTable } from './render.js';

/** Turn counts of the thread table are asked for this many threads at a time. */
const PARALLEL = 8;

const out = (text: string) => process.stdout.write(`${text}\n`);

/**
 * `threadline inspect`: spawns `threadline serve --read-only` and reads through the protocol
 * (thread/list, thread/get, thread/turns, turn/items, thread/events, thread/subscribe), so it
 * never writes the file nor holds a lock a running server waits for.
 */
export async function inspect(options: InspectOptions): Promise<number> {
  const style = makeStyle(colourWanted(process.stdout));
  let feed: ThreadFeed | undefined;
  const connection = new Connection({
    bin: process.argv[1]!,
    args: ['--read-only', '--log-level', 'error', ...(options.db !== undefined ? ['--db', options.db] : [])],
    clientName: 'threadline-inspect',
    approvals: false,
    onEvent: (event) => feed?.live(event),
    onDied: () => process.stderr.write('threadline inspect: the read-only server went away; restarting it\n'),
    onRestarted: () => void feed?.catchUp().then(() => feed?.subscribe()),
    onGaveUp: (error) => {
      process.stderr.write(`threadline inspect: ${errorText(error)}\n`);
      process.exit(1);
    },
  });
  try {
    await connection.ready();
    if (!options.threadId) return await listThreads(connection, options, style);
    const { thread, queued } = await getThread(connection, options.threadId);
    if (options.follow) {
      await follow(connection, thread, options, (f) => (feed = f), style);
      return 0;
    }
    if (options.events) {
      const events = await readEvents(connection, thread.id, options.afterSeq);
      if (options.json) out(JSON.stringify({ thread, events }, null, 2));
      else events.forEach((e) => out(eventLine(e, style)));
      return 0;
    }
    const turns = await readTurns(connection, thread.id);
    if (options.json) out(JSON.stringify({ thread, turns: turns.map(({ turn, items }) => ({ ...turn, items })), queued }, null, 2));
    else threadDetail(thread, turns, queued, style).forEach(out);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // A file that cannot be opened read-only: the server's one line says why (exit 2 like bad usage).
    throw new UsageError(errorText(error));
  } finally {
    feed?.stop();
    await connection.close().catch(() => {});
  }
}

async function getThread(connection: Connection, threadId: string) {
  try {
    return await connection.request('thread/get', { threadId });
  } catch (error) {
    if (error instanceof ThreadlineError && error.code === -32001) throw new UsageError(`no thread ${threadId} in this database`);
    throw error;
  }
}

async function listThreads(connection: Connection, options: InspectOptions, style: ReturnType<typeof makeStyle>): Promise<number> {
  const threads: Thread[] = [];
  for (const archived of [false, true]) {
    let cursor: string | undefined;
    do {
      const page = await connection.request('thread/list', { limit: 200, archived, ...(cursor ? { cursor } : {}) });
      threads.push(...page.threads);
      cursor = page.nextCursor;
    } while (cursor);
  }
  const counts = new Array<number>(threads.length).fill(0);
  let next = 0;
  let counted = 0;
  // Progress on a terminal only (1000 threads take a couple of seconds); erased before the table.
  const progress = process.stderr.isTTY && threads.length > 100 ? (text: string) => process.stderr.write(`\r\x1b[2K${text}`) : undefined;
  const worker = async () => {
    for (let i = next++; i < threads.length; i = next++) {
      counts[i] = await countTurns(connection, threads[i]!.id);
      if (++counted % 50 === 0) progress?.(`counting turns: ${counted}/${threads.length} threads`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  progress?.('');
  const rows = threads.map((thread, i) => ({ thread, turns: counts[i]! }));
  if (options.json) out(JSON.stringify({ threads: rows.map(({ thread, turns }) => ({ ...thread, turns })) }, null, 2));
  else threadTable(rows, style, process.stdout.isTTY ? process.stdout.columns || 120 : 1000).forEach(out);
  return 0;
}

async function countTurns(connection: Connection, threadId: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await connection.request('thread/turns', { threadId, limit: 200, ...(cursor ? { cursor } : {}) });
    count += page.turns.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

async function readTurns(connection: Connection, threadId: string): Promise<{ turn: Turn; items: Item[] }[]> {
  const turns: Turn[] = [];
  let cursor: string | undefined;
  do {
    const page = await connection.request('thread/turns', { threadId, limit: 200, order: 'asc', ...(cursor ? { cursor } : {}) });
    turns.push(...page.turns);
    cursor = page.nextCursor;
  } while (cursor);
  const result: { turn: Turn; items: Item[] }[] = [];
  for (const turn of turns) {
    const items: Item[] = [];
    let itemCursor: string | undefined;
    do {
      const page = await connection.request('turn/items', { turnId: turn.id, limit: 500, ...(itemCursor ? { cursor: itemCursor } : {}) });
      items.push(...page.items);
      itemCursor = page.nextCursor;
    } while (itemCursor);
    result.push({ turn, items });
  }
  return result;
}

async function readEvents(connection: Connection, threadId: string, afterSeq: number): Promise<ThreadEvent[]> {
  const events: ThreadEvent[] = [];
  for (let after = afterSeq; ; ) {
    const page = await connection.request('thread/events', { threadId, afterSeq: after, limit: 10000 });
    events.push(...page.events);
    if (page.events.length === 0 || page.events.at(-1)!.seq >= page.lastSeq) return events;
    after = page.events.at(-1)!.seq;
  }
}

/** The log after --after, then every new event (thread/subscribe: other processes' too) until a signal or a closed pipe. */
async function follow(connection: Connection, thread: Thread, options: InspectOptions, setFeed: (feed: ThreadFeed) => void, style: ReturnType<typeof makeStyle>): Promise<void> {
  let failed: unknown;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const feed = new ThreadFeed(thread.id, connection, (event) => out(options.json ? JSON.stringify(event) : eventLine(event, style)), (error) => {
    failed = error;
    stop();
  });
  feed.lastSeq = options.afterSeq;
  setFeed(feed);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.once('error', stop); // `| head` closed the pipe
  await feed.catchUp();
  await feed.subscribe();
  if (!options.json && process.stderr.isTTY) process.stderr.write(style.dim('following; Ctrl-C stops\n'));
  await stopped;
  if (failed) throw failed;
}
