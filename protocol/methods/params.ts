import * as z from 'zod/mini';
import { idParam } from '../ids.js';
import { doc, lazy } from '../registry.js';
import { jsonObjectSchema, threadSchema, turnSchema } from '../schemas.js';

/**
 * Field builders and shared fields of the method tables (one file per method family beside this).
 * Shared fields are built on first use ({@link lazy}), like the tables' schemas: a server answers
 * `initialize` without building what only other methods need.
 */

// Params are tolerant readers: zod's `z.object` strips unknown keys (PROTOCOL.md §4), while the
// known ones are checked strictly.

/**
 * Text settings are bounded: a thread record travels in every `thread/list` page and `thread.*`
 * event, so none of its fields may grow one without limit (PROTOCOL.md, Limits).
 */
export const TEXT_LIMITS = { name: 256, title: 1000, inputSummary: 1000, systemPrompt: 1024 * 1024, metadataJson: 64 * 1024, routingRules: 1000 } as const;

export const boundedText = (name: string, max: number) =>
  z.string({ error: `${name} must be a string` }).check(z.maxLength(max, `${name} is longer than ${max} characters`));
export const optionalText = (name: string, max: number = TEXT_LIMITS.name) => z.optional(boundedText(name, max));
// The type message only: range checks keep zod's own ("Too small: expected number to be >=1").
export const positiveInt = (name: string) =>
  z
    .number({ error: (issue) => (issue.code === 'invalid_type' ? `${name} must be a number` : undefined) })
    .check(z.int(`${name} must be an integer`));

export const absolutePath = lazy(() =>
  z.string().check(z.refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), {
    message: 'cwd must be an absolute path',
  })),
);

/** Per-turn engine options shared by startTurn and editLastTurn. */
export const turnOptions = lazy(() => ({
  model: doc("Model for this turn instead of the thread's.", optionalText('model')),
  mode: doc("Mode for this turn instead of the thread's.", optionalText('mode')),
  routeIntent: doc('Picks the model through the routing rules (case-insensitive); overrides `model`.', optionalText('routeIntent')),
  temperature: doc('Sampling temperature, 0..2, passed to the engine host.', z.optional(z.number().check(z.gte(0), z.lte(2)))),
  topP: doc('Nucleus sampling, 0..1, passed to the engine host.', z.optional(z.number().check(z.gte(0), z.lte(1)))),
  maxTokens: doc('Upper bound on output tokens, passed to the engine host.', z.optional(positiveInt('maxTokens').check(z.positive()))),
  autoApprove: doc("This turn's approvals nobody answers: approve (true) or deny (false).", z.optional(z.boolean())),
  trustMode: doc("Overrides the thread's trustMode for this turn.", z.optional(z.boolean())),
  allowShell: doc('Lets the engine run shell commands where the host supports it.', z.optional(z.boolean())),
}));

/** Metadata nested deeper than this is refused (-32602): storing it would overflow the stack. */
export const MAX_METADATA_DEPTH = 256;

/** How deep `value` nests arrays and objects, counted without recursion (so no depth overflows it). */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_METADATA_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export const metadataParam = lazy(() =>
  jsonObjectSchema().check(z.refine((m) => nestingDepth(m) <= MAX_METADATA_DEPTH, {
    message: `metadata is nested more than ${MAX_METADATA_DEPTH} levels deep`,
    abort: true,
  }), z.refine((m) => JSON.stringify(m).length <= TEXT_LIMITS.metadataJson, {
    message: `metadata is longer than ${TEXT_LIMITS.metadataJson} characters of JSON`,
  })),
);

export const requiredText = (name: string) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a string`),
    })
    .check(z.trim(), z.minLength(1, `${name} is required`));

/** `null` clears an optional setting in thread/update; absent leaves it as it is. */
export const clearableText = (name: string, max: number = TEXT_LIMITS.name) =>
  z.optional(z.nullable(z.string({ error: `${name} must be a string or null` }).check(z.maxLength(max, `${name} is longer than ${max} characters`))));

export const EmptyParams = lazy(() => z.object({}));
export const threadField = lazy(() => doc('The thread as it is now.', threadSchema()));
export const threadResult = lazy(() => z.object({ thread: threadField() }));
export const threadIdParam = lazy(() => doc('The thread.', idParam('threadId')));
export const ThreadIdParams = lazy(() => z.object({ threadId: threadIdParam() }));
export const metadataField = lazy(() => doc('Client-owned JSON object (replaced whole; at most 256 levels deep).', z.optional(metadataParam())));
export const turnField = lazy(() => doc('The turn.', turnSchema()));
export const turnIdParam = lazy(() => doc('The turn.', idParam('turnId')));
