import * as z from 'zod/mini';
import type { EngineUsage } from '../port.js';

/** US dollars per million tokens. `cachedInput` defaults to `input` (no cache discount known). */
const modelPriceSchema = () =>
  z.object({
    input: z.number().check(z.nonnegative()),
    cachedInput: z.optional(z.number().check(z.nonnegative())),
    output: z.number().check(z.nonnegative()),
  });
export type ModelPrice = z.infer<ReturnType<typeof modelPriceSchema>>;
/** Built when a `--prices` file is read (the server's start-up does not pay for it). */
const pricesFileSchema = () => z.record(z.string().check(z.minLength(1)), modelPriceSchema());

/**
 * A few well-known models (OpenAI list prices, USD per 1M tokens, as of 2025). Anything else has
 * no cost unless `--prices FILE` names it: an unknown model never gets a made-up cost.
 */
export const BUILTIN_PRICES: Record<string, ModelPrice> = {
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
};

export function parsePricesFile(text: string, path: string): Record<string, ModelPrice> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = pricesFileSchema().safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.')}: ${issue.message} (expected { "model": { "input": 2.5, "cachedInput": 1.25, "output": 10 } }, USD per 1M tokens)`);
  }
  return parsed.data;
}

/** The price of `model`: exact name, else the name without a date suffix (`gpt-4o-2024-08-06`). */
export function priceOf(prices: Record<string, ModelPrice>, model: string): ModelPrice | undefined {
  return prices[model] ?? prices[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
}

/** Cached prompt tokens are part of the input tokens, billed at the cached rate. */
export function costOf(price: ModelPrice, usage: EngineUsage): number {
  const cached = usage.cachedInputTokens ?? 0;
  const uncached = Math.max(0, usage.inputTokens - cached);
  const dollars = uncached * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output;
  return Math.round((dollars / 1e6) * 1e10) / 1e10;
}
