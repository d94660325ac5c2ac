import { parseArgs } from 'node:util';
import { DEFAULTS, DURABILITIES, FRAMINGS, LOG_LEVELS, defaultDbPath, type ServeConfig } from '../config.js';
import { hostOptionsFrom, HOST_FLAGS } from './host-flags.js';

/** Bad command-line usage: one line on stderr, exit 2. */
export class UsageError extends Error {}

const OPTIONS = {
  db: { type: 'string' },
  host: { type: 'string' },
  'host-option': { type: 'string', multiple: true },
  durability: { type: 'string' },
  framing: { type: 'string' },
  'log-level': { type: 'string' },
  'max-message-bytes': { type: 'string' },
  'max-prompt-bytes': { type: 'string' },
  'max-queued': { type: 'string' },
  'max-item-bytes': { type: 'string' },
  'max-loaded-engines': { type: 'string' },
  'approval-timeout': { type: 'string' },
  'lease-ttl': { type: 'string' },
  'machine-id': { type: 'string' },
  'read-only': { type: 'boolean' },
  ...HOST_FLAGS,
} as const;

/**
 * `--read-only` (serve only): read the file, never write it (threadline inspect runs this).
 * `--machine-id`: this server's machine identity in its owner row (default: process-identity.ts).
 */
export type ServeArgs = ServeConfig & { readOnly: boolean; machineId?: string };

export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({ args: joinDashValues(args), options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(readableParseError(error as Error & { code?: string }));
  }
  const one = (flag: string) => values[flag] as string | undefined;
  const int = (flag: string, fallback: number) => {
    const raw = one(flag);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) === 0) throw new UsageError(`--${flag} must be a positive integer, got "${raw}"`);
    return Number(raw);
  };
  const seconds = (flag: string, fallback: number) => {
    const raw = one(flag);
    if (raw === undefined) return fallback * 1000;
    if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0) throw new UsageError(`--${flag} must be a positive number of seconds, got "${raw}"`);
    return Math.round(Number(raw) * 1000);
  };
  const choice = <T extends string>(flag: string, allowed: readonly T[], fallback: T): T => {
    const raw = one(flag) ?? fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };
  const text = (flag: string, fallback: string) => {
    const raw = one(flag) ?? fallback;
    if (raw === '') throw new UsageError(`--${flag} must not be empty`);
    return raw;
  };
  const host = text('host', DEFAULTS.host);
  const readOnly = (values['read-only'] as unknown) === true;
  const db = text('db', defaultDbPath(env));
  if (readOnly && db === ':memory:') throw new UsageError('--read-only needs an existing database (a file or a postgres:// URL), not ":memory:"');
  const machineId = one('machine-id');
  if (machineId !== undefined && !/^[\w.:-]{1,128}$/.test(machineId)) {
    throw new UsageError('--machine-id must be 1 to 128 letters, digits, ".", ":", "_" or "-"');
  }
  return {
    readOnly,
    ...(machineId !== undefined ? { machineId } : {}),
    db,
    host,
    hostOptions: hostOptionsFrom(host, values as Record<string, string | string[] | undefined>, (message) => new UsageError(message)),
    durability: choice('durability', DURABILITIES, DEFAULTS.durability),
    framing: choice('framing', FRAMINGS, DEFAULTS.framing),
    logLevel: choice('log-level', LOG_LEVELS, DEFAULTS.logLevel),
    maxMessageBytes: int('max-message-bytes', DEFAULTS.maxMessageBytes),
    maxPromptBytes: int('max-prompt-bytes', DEFAULTS.maxPromptBytes),
    maxQueued: int('max-queued', DEFAULTS.maxQueued),
    maxItemBytes: int('max-item-bytes', DEFAULTS.maxItemBytes),
    maxLoadedEngines: int('max-loaded-engines', DEFAULTS.maxLoadedEngines),
    approvalTimeoutMs: seconds('approval-timeout', DEFAULTS.approvalTimeoutSeconds),
    leaseTtlMs: seconds('lease-ttl', DEFAULTS.leaseTtlSeconds),
  };
}

/**
 * `--max-queued -5` is ambiguous to parseArgs (the value looks like an option) and its message
 * says so in its own words; joined as `--max-queued=-5`, the flag's own check answers instead.
 */
function joinDashValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!.startsWith('--') ? args[i]!.slice(2) : undefined;
    const next = args[i + 1];
    if (flag !== undefined && flag in OPTIONS && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${flag}=${next}`);
      i++;
    } else {
      out.push(args[i]!);
    }
  }
  return out;
}

/** parseArgs' errors rephrased as one line a person can act on. */
function readableParseError(error: Error & { code?: string }): string {
  const missing = /^Option '(--[\w-]+)(?: <value>)?' argument missing/.exec(error.message);
  if (missing) return `${missing[1]} needs a value (try: threadline --help)`;
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `unknown option ${unknown[1]} (try: threadline --help)`;
  const positional = /^Unexpected argument '([^']+)'/.exec(error.message);
  if (positional) return `unexpected argument "${positional[1]}" (options are --name value; try: threadline --help)`;
  return `${error.message.split('\n')[0]} (try: threadline --help)`;
}
