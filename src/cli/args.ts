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
  ...HOST_FLAGS,
} as const;

export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let values: Record<string, string | string[] | undefined>;
  try {
    values = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
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
    if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0) throw new UsageError(`--${flag} must be a number of seconds, got "${raw}"`);
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
  return {
    db: text('db', defaultDbPath(env)),
    host,
    hostOptions: hostOptionsFrom(host, values, (message) => new UsageError(message)),
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
