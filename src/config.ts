import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_MAX_MESSAGE_BYTES } from '@threadline/protocol/node';

/** Everything `threadline serve` is told on its command line, validated once at start-up. */
export const ServeConfigSchema = z.object({
  db: z.string().min(1),
  host: z.string().min(1),
  /** Handed to the host's createHost: `--host-option key=value` plus the host flags (`--model`, `--openai-*`…). */
  hostOptions: z.record(z.string(), z.string()),
  durability: z.enum(['full', 'normal']),
  framing: z.enum(['lsp', 'ndjson']),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']),
  maxMessageBytes: z.number().int().positive(),
  maxPromptBytes: z.number().int().positive(),
  maxQueued: z.number().int().positive(),
  maxItemBytes: z.number().int().positive(),
  maxLoadedEngines: z.number().int().positive(),
  approvalTimeoutMs: z.number().int().positive(),
  /** `--lease-ttl`: a running turn's lease not renewed within this is expired (heartbeat every ttl/3). */
  leaseTtlMs: z.number().int().positive(),
});
export type ServeConfig = z.infer<typeof ServeConfigSchema>;

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
