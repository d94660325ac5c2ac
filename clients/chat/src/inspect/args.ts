import { UsageError } from '../args.js';

export interface InspectOptions {
  db?: string;
  threadId?: string;
  events: boolean;
  afterSeq: number;
  follow: boolean;
  json: boolean;
  help: boolean;
}

export const INSPECT_HELP = `threadline inspect — read a database without changing it (through \`threadline serve --read-only\`)

Usage:
  threadline inspect [--db PATH] [--json]                 a table of threads: title, status, turns,
                                                          queued, updated, preview
  threadline inspect [--db PATH] THREAD_ID [--events] [--after SEQ] [--json]
                                                          the thread's turns with their items and its
                                                          queue; --events: its event log instead
                                                          (after SEQ with --after)
  threadline inspect [--db PATH] THREAD_ID --follow [--after SEQ] [--json]
                                                          the event log (after SEQ), then each new event
                                                          as any process writes it, until Ctrl-C

  --db PATH    the database: a SQLite file or a postgres:// URL (default: threadline serve's)
  --json       machine output: one JSON document; with --follow one event per line (NDJSON)
  --help       this text

The database is opened read-only (a SQLite file without a lock, a Postgres database in read-only
sessions): nothing is written and a running server is never blocked. Colour only on a terminal;
NO_COLOR turns it off. Exit 0, or 2 with one line on bad usage or an unknown thread.
`;

export function parseInspectArgs(args: string[]): InspectOptions {
  const options: InspectOptions = { events: false, afterSeq: 0, follow: false, json: false, help: false };
  let afterGiven = false;
  const value = (i: number, flag: string) => {
    const v = args[i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value (try: threadline inspect --help)`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag === '--events') options.events = true;
    else if (flag === '--follow' || flag === '-f') options.follow = true;
    else if (flag === '--json') options.json = true;
    else if (flag === '--db') options.db = inline ?? value(++i, '--db');
    else if (flag === '--after') {
      const raw = inline ?? value(++i, '--after');
      if (!/^\d+$/.test(raw)) throw new UsageError(`--after must be a sequence number (0, 1, 2…), got "${raw}"`);
      options.afterSeq = Number(raw);
      afterGiven = true;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg} (try: threadline inspect --help)`);
    else if (options.threadId === undefined) options.threadId = arg;
    else throw new UsageError(`unexpected argument "${arg}": one thread id at most (try: threadline inspect --help)`);
  }
  if (options.help) return options;
  if (options.db === '') throw new UsageError('--db must not be empty');
  if (!options.threadId && (options.events || options.follow || afterGiven)) {
    throw new UsageError(`${options.follow ? '--follow' : options.events ? '--events' : '--after'} needs a THREAD_ID (try: threadline inspect --help)`);
  }
  if (afterGiven && !options.events && !options.follow) options.events = true; // --after implies the log
  return options;
}
