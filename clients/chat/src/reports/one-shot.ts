import type { ThreadlineClient } from '@threadline/protocol';
import { spawnThreadline } from '@threadline/protocol/node';
import { UsageError } from '../args.js';
import { errorText } from '../startup.js';

/** Flags every one-shot subcommand takes. */
export interface ServerFlags {
  db?: string;
}

/**
 * Runs `fn` against a `threadline serve` spawned for it (read-only when it only reads: no lock,
 * no migration, a running server never blocked), then shuts it down. A server that cannot start
 * (no such file, a newer schema) is one line and exit 2, like bad usage.
 */
export async function withServer<T>(flags: ServerFlags, readOnly: boolean, fn: (client: ThreadlineClient) => Promise<T>): Promise<T> {
  let server;
  try {
    server = await spawnThreadline({
      bin: process.argv[1]!,
      args: [...(readOnly ? ['--read-only'] : []), '--log-level', 'error', ...(flags.db !== undefined ? ['--db', flags.db] : [])],
      initialize: { clientInfo: { name: 'threadline-cli' } },
      stderr: 'ignore',
    });
  } catch (error) {
    throw new UsageError(errorText(error));
  }
  try {
    return await fn(server.client);
  } finally {
    await server.close().catch(() => {});
  }
}

/** `--flag value` or `--flag=value` parsing shared by the one-shot subcommands. */
export function parseFlags(args: string[], known: Record<string, 'value' | 'switch'>, help: string): { flags: Record<string, string | true>; positional: string[] } {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = known[name];
    if (!kind) throw new UsageError(`unknown option ${arg} (try: ${help})`);
    if (kind === 'switch') flags[name] = true;
    else {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value (try: ${help})`);
      flags[name] = value;
    }
  }
  return { flags, positional };
}
