import { parseArgs } from 'node:util';
import { DEFAULTS, ServeConfigSchema, defaultDbPath, type ServeConfig } from '../config.js';

/** Bad command-line usage: one line on stderr, exit 2. */
export class UsageError extends Error {}

const OPTIONS = {
  db: { type: 'string' },
  host: { type: 'string' },
  durability: { type: 'string' },
  framing: { type: 'string' },
  'log-level': { type: 'string' },
  'max-message-bytes': { type: 'string' },
  'max-prompt-bytes': { type: 'string' },
  'max-queued': { type: 'string' },
} as const;

export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values as Record<string, string | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const int = (flag: string, fallback: number) => {
    const raw = values[flag];
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new UsageError(`--${flag} must be a positive integer, got "${raw}"`);
    return Number(raw);
  };
  const parsed = ServeConfigSchema.safeParse({
    db: values.db ?? defaultDbPath(env),
    host: values.host ?? DEFAULTS.host,
    durability: values.durability ?? DEFAULTS.durability,
    framing: values.framing ?? DEFAULTS.framing,
    logLevel: values['log-level'] ?? DEFAULTS.logLevel,
    maxMessageBytes: int('max-message-bytes', DEFAULTS.maxMessageBytes),
    maxPromptBytes: int('max-prompt-bytes', DEFAULTS.maxPromptBytes),
    maxQueued: int('max-queued', DEFAULTS.maxQueued),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = String(issue.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new UsageError(`--${flag}: ${issue.message}`);
  }
  return parsed.data;
}
