import { UsageError } from '../args.js';
import { writePrivately } from '../private-file.js';
import { parseFlags, withServer } from './one-shot.js';

export const EXPORT_HELP = `threadline export — a thread as a versioned document (thread/export)

Usage:
  threadline export [--db PATH] THREAD_ID [-o FILE]

  --db      the database: a SQLite file or a postgres:// URL (default: threadline serve's)
  -o FILE   write the document there (created 0600: it holds the conversation); default stdout
  --help    this text

Every turn is in it (also reverted, superseded and compacted ones), no inbox, no events.
\`threadline import FILE\` makes a new thread from it. Read through \`threadline serve --read-only\`.
`;

export async function exportThread(args: string[]): Promise<number> {
  const { flags, positional } = parseFlags(args, { '--db': 'value', '-o': 'value', '--out': 'value', '--help': 'switch' }, 'threadline export --help');
  if (flags['--help']) {
    process.stdout.write(EXPORT_HELP);
    return 0;
  }
  if (positional.length !== 1) throw new UsageError(`${positional.length === 0 ? 'a THREAD_ID is needed' : `one THREAD_ID, not ${positional.length}`} (try: threadline export --help)`);
  const db = typeof flags['--db'] === 'string' ? flags['--db'] : undefined;
  const out = (flags['-o'] ?? flags['--out']) as string | undefined;
  const { document } = await withServer({ db }, true, async (client) => {
    try {
      return await client.request('thread/export', { threadId: positional[0]! });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (out === undefined || out === '-') process.stdout.write(text);
  else {
    try {
      writePrivately(out, text);
    } catch (error) {
      // A path that cannot be opened is bad usage (one line, exit 2); a failed write is not.
      if ((error as NodeJS.ErrnoException).syscall !== 'open') throw error;
      throw new UsageError(`cannot write ${out}: ${(error as Error).message}`);
    }
  }
  return 0;
}
