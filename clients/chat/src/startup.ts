import { ServerExitedError, ThreadlineError } from '@threadline/protocol';
import type { ChatOptions } from './args.js';
import type { Connection } from './connection.js';

/** A start-up failure that ends `chat` with exit 2 and this one line. */
export class FatalError extends Error {}

/** --thread ID (which must exist), --new, or else the most recently active thread, if any. */
export async function chooseThread(connection: Connection, options: ChatOptions): Promise<string | undefined> {
  if (options.newThread) return undefined;
  if (options.threadId) {
    try {
      await connection.request('thread/get', { threadId: options.threadId });
    } catch (error) {
      if (error instanceof ThreadlineError) throw new FatalError(`no thread ${options.threadId} in this database (${error.message})`);
      throw error;
    }
    return options.threadId;
  }
  const { threads } = await connection.request('thread/list', { limit: 1 });
  return threads[0]?.id;
}

export function describeExit(error: ServerExitedError): string {
  if (error.signal) return `was killed by ${error.signal}`;
  if (error.exitCode !== null) return `exited with code ${error.exitCode}`;
  return 'went away';
}

/**
 * One line for a person: a server that refused to start says why in its last stderr line
 * (`threadline: unknown option --foo …`), which is more useful than "exited with code 2".
 */
export function errorText(error: unknown): string {
  if (error instanceof ServerExitedError) {
    const last = error.stderrTail.filter((l) => l.trim()).at(-1)?.replace(/^threadline: /, '');
    return last ? last : `the server ${describeExit(error)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
