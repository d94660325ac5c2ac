import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_MESSAGE_BYTES } from '@threadline/protocol/node';

export const DURABILITIES = ['full', 'normal'] as const;
export const FRAMINGS = ['lsp', 'ndjson'] as const;
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/**
 * Everything `threadline serve` is told on its command line, validated once at start-up (by
 * src/cli/args.ts: a handful of enums and positive integers, checked without zod, whose first
 * parse would cost start-up time an IDE waits for).
 */
export interface ServeConfig {
  db: string;
  host: string;
  /** Handed to the host's createHost: `--host-option key=value` plus the host flags (`--model`, `--openai-*`…). */
  hostOptions: Record<string, string>;
  durability: (typeof DURABILITIES)[number];
  framing: (typeof FRAMINGS)[number];
  logLevel: (typeof LOG_LEVELS)[number];
  maxMessageBytes: number;
  maxPromptBytes: number;
  maxQueued: number;
  maxItemBytes: number;
  maxLoadedEngines: number;
  approvalTimeoutMs: number;
  /** `--lease-ttl`: a running turn's lease not renewed within this is expired (heartbeat every ttl/3). */
  leaseTtlMs: number;
}

export const DEFAULTS = {
  host: 'echo',
  durability: 'full',
  framing: 'lsp',
  logLevel: 'info',
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxPromptBytes: 1024 * 1024,
  maxQueued: 100,
  maxItemBytes: 1024 * 1024,
  maxLoadedEngines: 8,
  approvalTimeoutSeconds: 120,
  leaseTtlSeconds: 15,
} as const;

/** The user's data directory: $XDG_DATA_HOME, else the platform's usual place. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = env.HOME ?? homedir();
  let dataDir: string;
  if (env.XDG_DATA_HOME) dataDir = env.XDG_DATA_HOME;
  else if (platform === 'darwin') dataDir = join(home, 'Library', 'Application Support');
  else if (platform === 'win32') dataDir = env.LOCALAPPDATA ?? join(home, 'AppData', 'Local');
  else dataDir = join(home, '.local', 'share');
  return join(dataDir, 'threadline', 'threadline.db');
}
