import { parseArgs } from 'node:util';
import { DEFAULTS, ServeConfigSchema, defaultDbPath, type ServeConfig } from '../config.js';
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
    if (!/^\d+$/.test(raw)) throw new UsageError(`--${flag} must be a positive integer, got "${raw}"`);
    return Number(raw);
  };
  const seconds = (flag: string, fallback: number) => {
    const raw = one(flag);
    if (raw === undefined) return fallback * 1000;
    if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0) throw new UsageError(`--${flag} must be a number of seconds, got "${raw}"`);
    return Math.round(Number(raw) * 1000);
  };
  const host = one('host') ?? DEFAULTS.host;
  const parsed = ServeConfigSchema.safeParse({
    db: one('db') ?? defaultDbPath(env),
    host,
    hostOptions: hostOptionsFrom(host, values, (message) => new UsageError(message)),
    durability: one('durability') ?? DEFAULTS.durability,
    framing: one('framing') ?? DEFAULTS.framing,
    logLevel: one('log-level') ?? DEFAULTS.logLevel,
    maxMessageBytes: int('max-message-bytes', DEFAULTS.maxMessageBytes),
    maxPromptBytes: int('max-prompt-bytes', DEFAULTS.maxPromptBytes),
    maxQueued: int('max-queued', DEFAULTS.maxQueued),
    maxItemBytes: int('max-item-bytes', DEFAULTS.maxItemBytes),
    maxLoadedEngines: int('max-loaded-engines', DEFAULTS.maxLoadedEngines),
    approvalTimeoutMs: seconds('approval-timeout', DEFAULTS.approvalTimeoutSeconds),
    leaseTtlMs: seconds('lease-ttl', DEFAULTS.leaseTtlSeconds),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = String(issue.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new UsageError(`--${flag}: ${issue.message}`);
  }
  return parsed.data;
}
