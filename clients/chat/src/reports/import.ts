import { readFileSync } from 'node:fs';
import type { ParamsOf } from '@threadline/protocol';
import { UsageError } from '../args.js';
import { parseFlags, withServer } from './one-shot.js';

export const IMPORT_HELP = `threadline import — a new thread from an exported document or a transcript (thread/import)

Usage:
  threadline import [--db PATH] FILE [--title TITLE] [--json]

  FILE      a document \`threadline export\` wrote, or a transcript: [{ "role": "user"|"assistant",
            "text": "…" }, …] (or { "messages": [...], "title": "…" }); - reads stdin
  --db      the database: a SQLite file or a postgres:// URL (default: threadline serve's)
  --title   the new thread's title (a transcript only)
  --json    print the result as JSON
  --help    this text

Prints the new thread's id. An invalid file creates nothing and says where it is wrong.
`;

export async function importThread(args: string[]): Promise<number> {
  const { flags, positional } = parseFlags(args, { '--db': 'value', '--title': 'value', '--json': 'switch', '--help': 'switch' }, 'threadline import --help');
  if (flags['--help']) {
    process.stdout.write(IMPORT_HELP);
    return 0;
  }
  if (positional.length !== 1) throw new UsageError(`${positional.length === 0 ? 'a FILE is needed' : `one FILE, not ${positional.length}`} (try: threadline import --help)`);
  const file = positional[0]!;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file} as JSON: ${(error as Error).message}`);
  }
  const title = typeof flags['--title'] === 'string' ? flags['--title'] : undefined;
  const params = importParams(value, title);
  const db = typeof flags['--db'] === 'string' ? flags['--db'] : undefined;
  const result = await withServer({ db }, false, async (client) => {
    try {
      return await client.request('thread/import', params);
    } catch (error) {
      throw new UsageError((error as Error).message); // the server names the offending path
    }
  });
  if (flags['--json']) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${result.thread.id}  ${result.importedTurns} turn${result.importedTurns === 1 ? '' : 's'} imported${result.thread.title ? `  ${result.thread.title}` : ''}\n`);
  return 0;
}

/** A document (`format` names it), a bare transcript array, or `{ messages, title? }`. */
export function importParams(value: unknown, title: string | undefined): ParamsOf<'thread/import'> {
  if (Array.isArray(value)) return { messages: value as never, ...(title !== undefined ? { title } : {}) };
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('format' in object) {
      if (title !== undefined) throw new UsageError('--title is for a transcript; a document keeps its own title');
      return { document: object as never };
    }
    if (Array.isArray(object.messages)) return { messages: object.messages as never, ...(title ?? object.title) !== undefined ? { title: (title ?? object.title) as string } : {} };
  }
  throw new UsageError('the file is neither a threadline document (with "format") nor a transcript ([{ role, text }, …])');
}
