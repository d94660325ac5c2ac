import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import * as z from 'zod';
import type { CreateHost, EngineHost } from '../port.js';
import { builtinSource } from '../../tools/builtin/index.js';
import { OpenAIEngine, type EngineTools } from './engine.js';
import { redactUrl } from './failures.js';
import { ENV_NAME } from '../minimal-env.js';
import { BUILTIN_PRICES, parsePricesFile, type ModelPrice } from './prices.js';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** The host's options (`--host-option key=value`, or the `--openai-*`, `--model`, `--prices`, `--max-tool-rounds` flags). */
const OptionsSchema = z.object({
  baseUrl: z.url().default(DEFAULT_BASE_URL),
  model: z.string().min(1).optional(),
  maxRetries: z.coerce.number().int().nonnegative().default(2),
  idleTimeoutMs: z.coerce.number().int().positive().default(60_000),
  prices: z.string().optional(),
  maxToolRounds: z.coerce.number().int().positive().default(25),
  /** `--context-window N`: the model's window in tokens, for models the built-in table does not know. */
  contextWindow: z.coerce.number().int().positive().optional(),
  shellTimeoutMs: z.coerce.number().int().positive().default(60_000),
  maxOutputBytes: z.coerce.number().int().positive().default(64 * 1024),
  maxListEntries: z.coerce.number().int().positive().default(1000),
  maxToolArgumentBytes: z.coerce.number().int().positive().default(1024 * 1024),
  /** More variables tool shells get on top of the minimal environment (host/minimal-env.ts): NAME1,NAME2. */
  shellEnv: z
    .string()
    .default('')
    .transform((list) => list.split(',').map((name) => name.trim()).filter(Boolean))
    .refine((names) => names.every((name) => ENV_NAME.test(name)), 'a comma-separated list of environment variable names'),
});

export interface OpenAIHostConfig {
  endpoint: string;
  hasKey: boolean;
  model?: string;
  maxRetries: number;
  idleTimeoutMs: number;
  prices: Record<string, ModelPrice>;
  maxToolRounds: number;
  contextWindow?: number;
  shellTimeoutMs: number;
  maxOutputBytes: number;
  maxListEntries: number;
  maxToolArgumentBytes: number;
  shellEnv: string[];
}

/** Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, LM Studio, llama.cpp, OpenRouter…). */
export const createHost: CreateHost = (options, services): EngineHost => {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`option ${issue.path.join('.')}: ${issue.message}`);
  }
  const o = parsed.data;
  const apiKey = process.env.OPENAI_API_KEY;
  const baseURL = o.baseUrl.replace(/\/+$/, '');
  const config: OpenAIHostConfig = {
    ...o,
    endpoint: redactUrl(baseURL), // names the endpoint in turn errors: never its credentials
    hasKey: Boolean(apiKey),
    prices: { ...BUILTIN_PRICES, ...(o.prices ? parsePricesFile(readFileSync(o.prices, 'utf8'), o.prices) : {}) },
  };
  // A local endpoint needs no key; the SDK insists on one, so it gets a placeholder.
  const client = new OpenAI({ baseURL, apiKey: apiKey || 'none', maxRetries: o.maxRetries, timeout: 24 * 3600_000 });
  // The built-in tools through the tool-source port; MCP servers' tools when serve has --mcp-config.
  const tools: EngineTools = { builtin: builtinSource(config), ...(services?.tools ? { shared: services.tools } : {}) };
  return {
    name: 'openai',
    apiVersion: 1,
    supportsSteer: true,
    supportsCompaction: true,
    loadEngine: (thread, history) => new OpenAIEngine(config, client, thread, history, tools),
  };
};
