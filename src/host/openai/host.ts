import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import * as z from 'zod/mini';
import type { CreateHost, EngineHost } from '../port.js';
import { builtinSource } from '../../tools/builtin/index.js';
import { OpenAIEngine, type EngineTools } from './engine.js';
import { redactUrl } from './failures.js';
import { ENV_NAME } from '../minimal-env.js';
import { BUILTIN_PRICES, parsePricesFile, type ModelPrice } from './prices.js';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** The host's options (`--host-option key=value`, or the `--openai-*`, `--model`, `--prices`, `--max-tool-rounds` flags). */
const OptionsSchema = z.object({
  baseUrl: z._default(z.url(), DEFAULT_BASE_URL),
  model: z.optional(z.string().check(z.minLength(1))),
  maxRetries: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 2),
  idleTimeoutMs: z._default(z.coerce.number().check(z.int(), z.positive()), 60_000),
  prices: z.optional(z.string()),
  maxToolRounds: z._default(z.coerce.number().check(z.int(), z.positive()), 25),
  /** `--context-window N`: the model's window in tokens, for models the built-in table does not know. */
  contextWindow: z.optional(z.coerce.number().check(z.int(), z.positive())),
  shellTimeoutMs: z._default(z.coerce.number().check(z.int(), z.positive()), 60_000),
  maxOutputBytes: z._default(z.coerce.number().check(z.int(), z.positive()), 64 * 1024),
  maxListEntries: z._default(z.coerce.number().check(z.int(), z.positive()), 1000),
  maxToolArgumentBytes: z._default(z.coerce.number().check(z.int(), z.positive()), 1024 * 1024),
  /** More variables tool shells get on top of the minimal environment (host/minimal-env.ts): NAME1,NAME2. */
  shellEnv: z
    .pipe(
      z._default(z.string(), ''),
      z.transform((list: string) => list.split(',').map((name) => name.trim()).filter(Boolean)),
    )
    .check(z.refine((names) => names.every((name) => ENV_NAME.test(name)), 'a comma-separated list of environment variable names')),
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
