/**
 * Context windows (tokens) of well-known models, as OpenAI's model pages
 * (https://platform.openai.com/docs/models) document them. Nothing else is guessed: another model
 * has a size only with `--context-window N`, and otherwise reports `size: null`.
 */
export const BUILTIN_CONTEXT_WINDOWS: Record<string, number> = {
  'gpt-5': 400_000,
  'gpt-5-mini': 400_000,
  'gpt-5-nano': 400_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
  'gpt-4o': 128_000,
  'gpt-4o-mini': 128_000,
  'gpt-4-turbo': 128_000,
  'gpt-3.5-turbo': 16_385,
  o1: 200_000,
  o3: 200_000,
  'o3-mini': 200_000,
  'o4-mini': 200_000,
};

/**
 * The window of `model`: `--context-window` when given (the operator knows their deployment, e.g.
 * a vLLM `--max-model-len`), else the table (exact name, else without a date suffix), else null.
 */
export function contextWindowOf(model: string, configured: number | undefined): number | null {
  if (configured !== undefined) return configured;
  return BUILTIN_CONTEXT_WINDOWS[model] ?? BUILTIN_CONTEXT_WINDOWS[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')] ?? null;
}
