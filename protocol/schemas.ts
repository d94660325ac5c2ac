import * as z from 'zod/mini';
import { admissionIdSchema, itemIdSchema, threadIdSchema, turnIdSchema } from './ids.js';
import { doc, lazy, named } from './registry.js';
import { mcpServerSpecSchema } from './mcp-servers.js';

// Every field carries a description (`doc`): it feeds the JSON Schema and docs/PROTOCOL.md alike.

/** Built on first use (a datetime regex): a server answers `initialize` without it. */
export const timestampSchema = lazy(() => z.iso.datetime({ offset: false }));
const seqSchema = lazy(() => z.number().check(z.int(), z.nonnegative()));
const countSchema = lazy(() => z.number().check(z.int(), z.nonnegative()));
export const jsonObjectSchema = lazy(() => z.record(z.string(), z.unknown()));

/** Built (and registered) on the first call; {@link UsageSchema} is the same schema, built on import. */
export const usageSchema = lazy(() =>
  named(
    'Usage',
    'Token usage of a turn (or a sum of turns).',
    z.object({
      inputTokens: doc('Tokens of input the model read (prompt and history).', countSchema()),
      outputTokens: doc('Tokens the model wrote.', countSchema()),
      cachedInputTokens: doc('Of `inputTokens`, how many the provider served from its cache.', z.optional(countSchema())),
      reasoningTokens: doc('Of `outputTokens`, how many were hidden reasoning.', z.optional(countSchema())),
      costUsd: doc('Price in US dollars, when the model has a known price (`--prices`).', z.optional(z.number().check(z.nonnegative()))),
    }),
  ),
);
export const UsageSchema = /* @__PURE__ */ usageSchema();
export type Usage = z.infer<typeof UsageSchema>;

export const threadStatusSchema = lazy(() => z.enum(['idle', 'running']));
export const ThreadStatusSchema = /* @__PURE__ */ threadStatusSchema();
export type ThreadStatus = z.infer<typeof ThreadStatusSchema>;

/** Built (and registered) on the first call; {@link ContextUsageSchema} is the same schema, built on import. */
export const contextUsageSchema = lazy(() =>
  named(
    'ContextUsage',
    "How full a thread's context window is after a model call.",
    z.object({
      turnId: doc('The turn whose model call it was.', turnIdSchema()),
      used: doc('Tokens in the context: the prompt sent plus the reply received.', countSchema()),
      size: doc("The model's context window in tokens; `null` when the host does not know it (it never guesses).", z.nullable(z.number().check(z.int(), z.positive()))),
    }),
  ),
);
export const ContextUsageSchema = /* @__PURE__ */ contextUsageSchema();
export type ContextUsage = z.infer<typeof ContextUsageSchema>;

/** Built (and registered) on the first call; {@link ThreadSchema} is the same schema, built on import. */
export const threadSchema = lazy(() =>
  named(
    'Thread',
    'A conversation: its settings, whether a turn runs, its event log position and queue length.',
    z.object({
      id: doc('Thread id (`thr_` + UUIDv7).', threadIdSchema()),
      title: doc('Display title; `""` when none was given.', z.string()),
      status: doc('`running` while one of its turns is in progress, else `idle`.', threadStatusSchema()),
      archived: doc('Archived threads accept no new turns and are listed only with `archived: true`.', z.boolean()),
      model: doc('Default model of its turns (the host chooses when absent).', z.optional(z.string())),
      mode: doc('Free-form mode passed to the engine host (e.g. `plan`, `edit`).', z.optional(z.string())),
      cwd: doc('Absolute working directory of its engine; fixed at creation.', z.optional(z.string())),
      systemPrompt: doc('System prompt the engine starts from.', z.optional(z.string())),
      autoApprove: doc('Approvals nobody answers are approved (true) or denied (false).', z.boolean()),
      trustMode: doc('Passed to the engine host: run without asking where the host supports it.', z.boolean()),
      metadata: doc('Client-owned JSON object, stored and returned as given.', jsonObjectSchema()),
      latestTurnId: doc('The most recently created turn.', z.optional(turnIdSchema())),
      createdAt: doc('When the thread was created (ISO-8601 UTC).', timestampSchema()),
      updatedAt: doc('Last settings change or turn start/end (ISO-8601 UTC); `thread/list` sorts on it.', timestampSchema()),
      lastSeq: doc("Seq of the thread's newest event (0 before any).", seqSchema()),
      queuedCount: doc('Pending admissions in its inbox.', countSchema()),
      forkedFrom: doc(
        'Where `thread/fork` copied it from: the source thread and the turn the copy stops before (absent: the whole visible history).',
        z.optional(z.object({ threadId: doc('The source thread.', threadIdSchema()), turnId: doc('The first source turn not copied.', z.optional(turnIdSchema())) })),
      ),
      importedFrom: doc('The id of the thread in the document `thread/import` created it from.', z.optional(z.string())),
      preview: doc('The text of its newest user or agent message, cut to 140 characters.', z.optional(z.string())),
      contextUsage: doc(
        "The context window as of the thread's latest model call (the `context.usage` event); absent before any, and after a completed compaction.",
        z.optional(contextUsageSchema()),
      ),
      mcpServers: doc(
        'The MCP servers it was created with (`thread/create { mcpServers }`); env and header values read `"[redacted]"`. Absent when none.',
        z.optional(z.array(mcpServerSpecSchema())),
      ),
    }),
  ),
);
export const ThreadSchema = /* @__PURE__ */ threadSchema();
export type Thread = z.infer<typeof ThreadSchema>;

export const turnStatusSchema = lazy(() => z.enum(['in_progress', 'completed', 'failed', 'interrupted']));
export const TurnStatusSchema = /* @__PURE__ */ turnStatusSchema();
export type TurnStatus = z.infer<typeof TurnStatusSchema>;

export const turnKindSchema = lazy(() => z.enum(['prompt', 'compaction']));
export const TurnKindSchema = /* @__PURE__ */ turnKindSchema();
export type TurnKind = z.infer<typeof TurnKindSchema>;

/** Built (and registered) on the first call; {@link TurnSchema} is the same schema, built on import. */
export const turnSchema = lazy(() =>
  named(
    'Turn',
    'One exchange: a user prompt and everything the engine did in answer to it.',
    z.object({
      id: doc('Turn id (`turn_` + UUIDv7).', turnIdSchema()),
      threadId: doc('The thread it belongs to.', threadIdSchema()),
      status: doc('`in_progress` until it ends `completed`, `failed` or `interrupted`.', turnStatusSchema()),
      inputSummary: doc('Short text shown for the prompt (the prompt cut to 200 characters unless given).', z.string()),
      createdAt: doc('When the turn was created (ISO-8601 UTC).', timestampSchema()),
      startedAt: doc('When the engine started it.', z.optional(timestampSchema())),
      endedAt: doc('When it ended.', z.optional(timestampSchema())),
      durationMs: doc('endedAt − startedAt in milliseconds.', z.optional(countSchema())),
      usage: doc('Token usage the engine reported.', z.optional(usageSchema())),
      error: doc('Why it failed or was interrupted (e.g. `server restarted`).', z.optional(z.string())),
      itemIds: doc('Its items in order.', z.array(itemIdSchema())),
      steerCount: doc('How many prompts were steered into it.', countSchema()),
      model: doc('The model it ran with (routing rule, prompt, or thread default).', z.optional(z.string())),
      supersededBy: doc('The turn that replaced it through `thread/editLastTurn`.', z.optional(turnIdSchema())),
      kind: doc('`prompt`: a user prompt and its answer; `compaction`: a `thread/compact` summary of what came before.', turnKindSchema()),
      revertedAt: doc('When `thread/revert` hid it from the engine (it stays readable); absent while it counts.', z.optional(timestampSchema())),
    }),
  ),
);
export const TurnSchema = /* @__PURE__ */ turnSchema();
export type Turn = z.infer<typeof TurnSchema>;

export const itemKindSchema = lazy(() => z.enum([
  'user_message',
  'agent_message',
  'reasoning',
  'tool_call',
  'tool_result',
  'error',
  'context_compaction',
]));
export const ItemKindSchema = /* @__PURE__ */ itemKindSchema();
export type ItemKind = z.infer<typeof ItemKindSchema>;

export const itemStatusSchema = lazy(() => z.enum(['in_progress', 'completed', 'failed']));
export const ItemStatusSchema = /* @__PURE__ */ itemStatusSchema();
export type ItemStatus = z.infer<typeof ItemStatusSchema>;

/** Built (and registered) on the first call; {@link ItemSchema} is the same schema, built on import. */
export const itemSchema = lazy(() =>
  named(
    'Item',
    'A unit of a turn: a message, reasoning, a tool call or its result. `summary` is `detail` cut to 200 characters.',
    z.object({
      id: doc('Item id (`item_` + UUIDv7).', itemIdSchema()),
      turnId: doc('The turn it belongs to.', turnIdSchema()),
      kind: doc('What it is.', itemKindSchema()),
      status: doc('`in_progress` while it streams, then `completed` or `failed`.', itemStatusSchema()),
      summary: doc('`detail` cut to 200 characters.', z.string()),
      detail: doc('Full text; `item.completed` always carries it (cut at `--max-item-bytes`).', z.optional(z.string())),
      metadata: doc('Extra facts, e.g. `interrupted: true`, `truncated: true`; hosts may add their own.', z.optional(jsonObjectSchema())),
      startedAt: doc('When it began.', z.optional(timestampSchema())),
      endedAt: doc('When it ended.', z.optional(timestampSchema())),
    }),
  ),
);
export const ItemSchema = /* @__PURE__ */ itemSchema();
export type Item = z.infer<typeof ItemSchema>;

export const deliverySchema = lazy(() => z.enum(['queue', 'steer']));
export const DeliverySchema = /* @__PURE__ */ deliverySchema();
export type Delivery = z.infer<typeof DeliverySchema>;

export const admissionStateSchema = lazy(() => z.enum(['pending', 'promoted', 'cancelled']));
export const AdmissionStateSchema = /* @__PURE__ */ admissionStateSchema();
export type AdmissionState = z.infer<typeof AdmissionStateSchema>;

/** Built (and registered) on the first call; {@link AdmissionSchema} is the same schema, built on import. */
export const admissionSchema = lazy(() =>
  named(
    'Admission',
    'A prompt in the durable inbox. `admittedSeq` is the seq of the event that recorded it.',
    z.object({
      id: doc('Admission id (`inp_` + UUIDv7).', admissionIdSchema()),
      threadId: doc('The thread whose inbox holds it.', threadIdSchema()),
      admittedSeq: doc('Seq of the event that recorded it (`prompt.admitted`, or `prompt.promoted` when it ran at once).', seqSchema()),
      prompt: doc('The prompt text, trimmed.', z.string()),
      delivery: doc('`queue`: a turn of its own; `steer`: into the running turn.', deliverySchema()),
      state: doc('`pending` until `promoted` (it ran) or `cancelled`.', admissionStateSchema()),
      createdAt: doc('When it was admitted (ISO-8601 UTC).', timestampSchema()),
      promotedSeq: doc('Seq of its `prompt.promoted` event.', z.optional(seqSchema())),
      turnId: doc('The turn it started or joined, once promoted.', z.optional(turnIdSchema())),
    }),
  ),
);
export const AdmissionSchema = /* @__PURE__ */ admissionSchema();
export type Admission = z.infer<typeof AdmissionSchema>;

/** Built (and registered) on the first call; {@link RoutingRuleSchema} is the same schema, built on import. */
export const routingRuleSchema = lazy(() =>
  named(
    'RoutingRule',
    'Maps a `routeIntent` (matched case-insensitively) to the model that serves it.',
    z.object({
      intent: doc('The `routeIntent` it matches, case-insensitively (at most 256 characters).', z.string().check(z.trim(), z.minLength(1, 'intent must not be empty'), z.maxLength(256, 'intent is longer than 256 characters'))),
      model: doc('The model a matching turn runs with (at most 256 characters).', z.string().check(z.trim(), z.minLength(1, 'model must not be empty'), z.maxLength(256, 'model is longer than 256 characters'))),
    }),
  ),
);
export const RoutingRuleSchema = /* @__PURE__ */ routingRuleSchema();
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;

/** {@link timestampSchema} and {@link jsonObjectSchema}, built on import. */
export const TimestampSchema = /* @__PURE__ */ timestampSchema();
export const JsonObjectSchema = /* @__PURE__ */ jsonObjectSchema();
