import { z } from 'zod';
import { AdmissionIdSchema, ItemIdSchema, ThreadIdSchema, TurnIdSchema } from './ids.js';
import { named } from './registry.js';

const Timestamp = z.iso.datetime({ offset: false }).describe('ISO-8601 UTC time');
const Seq = z.number().int().nonnegative();
const JsonObject = z.record(z.string(), z.unknown());

export const UsageSchema = named(
  'Usage',
  'Token usage of a turn (or a sum of turns).',
  z.object({
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    cachedInputTokens: z.number().int().nonnegative().optional(),
    reasoningTokens: z.number().int().nonnegative().optional(),
    costUsd: z.number().nonnegative().optional(),
  }),
);
export type Usage = z.infer<typeof UsageSchema>;

export const ThreadStatusSchema = z.enum(['idle', 'running']);
export type ThreadStatus = z.infer<typeof ThreadStatusSchema>;

export const ThreadSchema = named(
  'Thread',
  'A conversation: its settings, whether a turn runs, its event log position and queue length.',
  z.object({
    id: ThreadIdSchema,
    title: z.string(),
    status: ThreadStatusSchema,
    archived: z.boolean(),
    model: z.string().optional(),
    mode: z.string().optional(),
    cwd: z.string().optional(),
    systemPrompt: z.string().optional(),
    autoApprove: z.boolean(),
    trustMode: z.boolean(),
    metadata: JsonObject,
    latestTurnId: TurnIdSchema.optional(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    lastSeq: Seq,
    queuedCount: z.number().int().nonnegative(),
  }),
);
export type Thread = z.infer<typeof ThreadSchema>;

export const TurnStatusSchema = z.enum(['in_progress', 'completed', 'failed', 'interrupted']);
export type TurnStatus = z.infer<typeof TurnStatusSchema>;

export const TurnSchema = named(
  'Turn',
  'One exchange: a user prompt and everything the engine did in answer to it.',
  z.object({
    id: TurnIdSchema,
    threadId: ThreadIdSchema,
    status: TurnStatusSchema,
    inputSummary: z.string(),
    createdAt: Timestamp,
    startedAt: Timestamp.optional(),
    endedAt: Timestamp.optional(),
    durationMs: z.number().int().nonnegative().optional(),
    usage: UsageSchema.optional(),
    error: z.string().optional(),
    itemIds: z.array(ItemIdSchema),
    steerCount: z.number().int().nonnegative(),
    model: z.string().optional(),
    supersededBy: TurnIdSchema.optional(),
  }),
);
export type Turn = z.infer<typeof TurnSchema>;

export const ItemKindSchema = z.enum([
  'user_message',
  'agent_message',
  'reasoning',
  'tool_call',
  'tool_result',
  'error',
]);
export type ItemKind = z.infer<typeof ItemKindSchema>;

export const ItemStatusSchema = z.enum(['in_progress', 'completed', 'failed']);
export type ItemStatus = z.infer<typeof ItemStatusSchema>;

export const ItemSchema = named(
  'Item',
  'A unit of a turn: a message, reasoning, a tool call or its result. `summary` is `detail` cut to 200 characters.',
  z.object({
    id: ItemIdSchema,
    turnId: TurnIdSchema,
    kind: ItemKindSchema,
    status: ItemStatusSchema,
    summary: z.string(),
    detail: z.string().optional(),
    metadata: JsonObject.optional(),
    startedAt: Timestamp.optional(),
    endedAt: Timestamp.optional(),
  }),
);
export type Item = z.infer<typeof ItemSchema>;

export const DeliverySchema = z.enum(['queue', 'steer']);
export type Delivery = z.infer<typeof DeliverySchema>;

export const AdmissionStateSchema = z.enum(['pending', 'promoted', 'cancelled']);
export type AdmissionState = z.infer<typeof AdmissionStateSchema>;

export const AdmissionSchema = named(
  'Admission',
  'A prompt in the durable inbox. `admittedSeq` is the seq of the event that recorded it.',
  z.object({
    id: AdmissionIdSchema,
    threadId: ThreadIdSchema,
    admittedSeq: Seq,
    prompt: z.string(),
    delivery: DeliverySchema,
    state: AdmissionStateSchema,
    createdAt: Timestamp,
    promotedSeq: Seq.optional(),
    turnId: TurnIdSchema.optional(),
  }),
);
export type Admission = z.infer<typeof AdmissionSchema>;

export const RoutingRuleSchema = named(
  'RoutingRule',
  'Maps a `routeIntent` (matched case-insensitively) to the model that serves it.',
  z.object({
    intent: z.string().trim().min(1, 'intent must not be empty'),
    model: z.string().trim().min(1, 'model must not be empty'),
  }),
);
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;

export { Timestamp as TimestampSchema, JsonObject as JsonObjectSchema };
