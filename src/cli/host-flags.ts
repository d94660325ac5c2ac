import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePricesFile } from '../host/openai/prices.js';
import { readMcpConfig } from '../tools/load.js';

/** Flags that are host options under a friendlier name; `hosts` lists the hosts that understand them. */
const FLAGS: Record<string, { option: string; hosts?: string[]; convert?: (raw: string, flag: string) => string }> = {
  model: { option: 'model' },
  'openai-base-url': { option: 'baseUrl', hosts: ['openai'], convert: url },
  'openai-max-retries': { option: 'maxRetries', hosts: ['openai'], convert: count },
  'openai-idle-timeout': { option: 'idleTimeoutMs', hosts: ['openai'], convert: secondsToMs },
  prices: { option: 'prices', hosts: ['openai'], convert: pricesFile },
  'max-tool-rounds': { option: 'maxToolRounds', hosts: ['openai'], convert: count },
  'context-window': { option: 'contextWindow', hosts: ['openai'], convert: positiveCount },
  /** Not a host option: open-backend takes it out and hands it to the orchestrator. */
  'auto-compact-at': { option: 'autoCompactAt', convert: fraction },
  /** Not a host option: open-backend takes it out and starts the servers (src/tools/load.ts). */
  'mcp-config': { option: 'mcpConfig', convert: mcpConfigFile },
};

export const HOST_FLAGS = Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])) as Record<
  keyof typeof FLAGS,
  { type: 'string' }
>;

/** The options handed to createHost: every `--host-option key=value`, then the host flags. */
export function hostOptionsFrom(
  host: string,
  values: Record<string, string | string[] | undefined>,
  usage: (message: string) => Error,
): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of (values['host-option'] as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at) : '';
    if (!/^[A-Za-z][\w.-]*$/.test(key)) throw usage(`--host-option must be key=value, got "${pair}"`);
    options[key] = pair.slice(at + 1);
  }
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const raw = values[flag] as string | undefined;
    if (raw === undefined) continue;
    if (spec.hosts && !spec.hosts.includes(host)) throw usage(`--${flag} only applies to --host ${spec.hosts.join('|')}`);
    try {
      options[spec.option] = spec.convert ? spec.convert(raw, flag) : raw;
    } catch (error) {
      throw usage(`--${flag}: ${(error as Error).message}`);
    }
  }
  if (host === 'exec' && !options.command?.trim()) throw usage('--host exec needs --host-option command="…" (the engine to run)');
  return options;
}

function url(raw: string): string {
  if (!URL.canParse(raw)) throw new Error(`not a URL: "${raw}"`);
  return raw;
}

function count(raw: string): string {
  if (!/^\d+$/.test(raw)) throw new Error(`must be a whole number (0 or more), got "${raw}"`);
  return raw;
}

function positiveCount(raw: string): string {
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new Error(`must be a whole number of tokens (1 or more), got "${raw}"`);
  return raw;
}

/** 0 < f ≤ 1: the share of the context window past which the next turn compacts first. */
function fraction(raw: string): string {
  const f = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(f > 0 && f <= 1)) throw new Error(`must be a fraction above 0 and at most 1 (e.g. 0.8), got "${raw}"`);
  return raw;
}

function secondsToMs(raw: string): string {
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0) throw new Error(`must be a positive number of seconds, got "${raw}"`);
  return String(Math.round(Number(raw) * 1000));
}

/** Read and checked at start-up, so a bad price file stops serve at once rather than failing a turn. */
function pricesFile(raw: string): string {
  const path = resolve(raw);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new Error(`cannot read ${path}: ${why}`);
  }
  parsePricesFile(text, path);
  return path;
}

/** Read and checked at start-up: a bad MCP config stops serve with one line naming the field. */
function mcpConfigFile(raw: string): string {
  const path = resolve(raw);
  readMcpConfig(path);
  return path;
}
