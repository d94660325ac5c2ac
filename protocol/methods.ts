import { z } from 'zod';
import { idParam } from './ids.js';
import { named } from './registry.js';
import {
  AdmissionSchema,
  DeliverySchema,
  ItemSchema,
  JsonObjectSchema,
  RoutingRuleSchema,
  ThreadSchema,
  TurnSchema,
  UsageSchema,
} from './schemas.js';
import { ThreadEventSchema } from './events.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from './version.js';

/** One row of a method table: the params a sender validates and the result it gets back. */
export interface MethodSpec {
  params: z.ZodType;
  result: z.ZodType;
}

// Params are tolerant readers: zod's `z.object` strips unknown keys (PROTOCOL.md §4), while the
// known ones are checked strictly.

const optionalText = (name: string) => z.string({ error: `${name} must be a string` }).optional();
// The type message only: range checks keep zod's own ("Too small: expected number to be >=1").
const positiveInt = (name: string) =>
  z
    .number({ error: (issue) => (issue.code === 'invalid_type' ? `${name} must be a number` : undefined) })
    .int(`${name} must be an integer`);

const absolutePath = z
  .string()
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), {
    message: 'cwd must be an absolute path',
  });

/** Per-turn engine options shared by startTurn and editLastTurn. */
const turnOptions = {
  model: optionalText('model'),
  mode: optionalText('mode'),
  routeIntent: optionalText('routeIntent'),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  maxTokens: positiveInt('maxTokens').positive().optional(),
  autoApprove: z.boolean().optional(),
  trustMode: z.boolean().optional(),
  allowShell: z.boolean().optional(),
};

/** Metadata nested deeper than this is refused (-32602): storing it would overflow the stack. */
const MAX_METADATA_DEPTH = 256;

/** How deep `value` nests arrays and objects, counted without recursion (so no depth overflows it). */
function nestingDepth(value: unknown): number {
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

const metadataParam = JsonObjectSchema.refine((m) => nestingDepth(m) <= MAX_METADATA_DEPTH, {
  message: `metadata is nested more than ${MAX_METADATA_DEPTH} levels deep`,
});

const requiredText = (name: string) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a string`),
    })
    .trim()
    .min(1, `${name} is required`);

/** `null` clears an optional setting in thread/update; absent leaves it as it is. */
const clearableText = (name: string) => z.string({ error: `${name} must be a string or null` }).nullable().optional();

export const InitializeParamsSchema = named(
  'InitializeParams',
  'The first request of a connection.',
  z.object({
    protocolVersion: z
      .number({ error: 'protocolVersion is required (a number)' })
      .refine((v) => SUPPORTED_PROTOCOL_VERSIONS.includes(v), {
        message: `unsupported protocolVersion; this server supports: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`,
      }),
    clientInfo: z.object({ name: z.string(), version: z.string().optional() }).optional(),
    capabilities: z.object({ approvals: z.boolean().optional() }).optional(),
  }),
);

export const InitializeResultSchema = named(
  'InitializeResult',
  'What the server is and can do.',
  z.object({
    protocolVersion: z.number().int(),
    serverInfo: z.object({ name: z.literal('threadline'), version: z.string() }),
    capabilities: z.object({
      framing: z.enum(['lsp', 'ndjson']),
      hosts: z.array(z.string()),
      steer: z.boolean(),
      approvals: z.boolean(),
    }),
    dbPath: z.string(),
  }),
);

const EmptyParams = z.object({});

export const ShutdownParamsSchema = named('ShutdownParams', 'No params needed.', EmptyParams.clone());
export const ShutdownResultSchema = named(
  'ShutdownResult',
  'Running turns were interrupted and the database flushed; send `exit` next.',
  z.null(),
);

const ThreadResult = z.object({ thread: ThreadSchema });
const ThreadIdParams = z.object({ threadId: idParam('threadId') });

export const ThreadCreateParamsSchema = named(
  'ThreadCreateParams',
  'Settings of the new thread; all optional.',
  z.object({
    title: optionalText('title'),
    model: optionalText('model'),
    mode: optionalText('mode'),
    cwd: absolutePath.optional(),
    systemPrompt: optionalText('systemPrompt'),
    autoApprove: z.boolean().optional(),
    trustMode: z.boolean().optional(),
    metadata: metadataParam.optional(),
  }),
);
export const ThreadCreateResultSchema = named('ThreadCreateResult', 'The new thread.', ThreadResult.clone());

export const ThreadGetParamsSchema = named(
  'ThreadGetParams',
  'Which thread, and whether to include its turns.',
  z.object({ threadId: idParam('threadId'), includeTurns: z.boolean().optional() }),
);
export const ThreadGetResultSchema = named(
  'ThreadGetResult',
  'The thread, its turns oldest first when asked, and its pending admissions in FIFO order.',
  z.object({ thread: ThreadSchema, turns: z.array(TurnSchema).optional(), queued: z.array(AdmissionSchema) }),
);

export const ThreadListParamsSchema = named(
  'ThreadListParams',
  'A page of threads, newest updatedAt first.',
  z.object({
    cursor: z.string().optional(),
    limit: positiveInt('limit').min(1).max(200).default(50),
    archived: z.boolean().optional(),
  }),
);
export const ThreadListResultSchema = named(
  'ThreadListResult',
  'One page; `nextCursor` is absent on the last page.',
  z.object({ threads: z.array(ThreadSchema), nextCursor: z.string().optional() }),
);

export const ThreadUpdateParamsSchema = named(
  'ThreadUpdateParams',
  'Fields to replace; absent fields stay, `null` clears model, mode or systemPrompt.',
  z.object({
    threadId: idParam('threadId'),
    title: optionalText('title'),
    model: clearableText('model'),
    mode: clearableText('mode'),
    systemPrompt: clearableText('systemPrompt'),
    autoApprove: z.boolean().optional(),
    trustMode: z.boolean().optional(),
    metadata: metadataParam.optional(),
  }),
);
export const ThreadUpdateResultSchema = named('ThreadUpdateResult', 'The updated thread.', ThreadResult.clone());

export const ThreadArchiveParamsSchema = named('ThreadArchiveParams', 'Which thread.', ThreadIdParams.clone());
export const ThreadArchiveResultSchema = named('ThreadArchiveResult', 'The archived thread.', ThreadResult.clone());
export const ThreadUnarchiveParamsSchema = named('ThreadUnarchiveParams', 'Which thread.', ThreadIdParams.clone());
export const ThreadUnarchiveResultSchema = named(
  'ThreadUnarchiveResult',
  'The unarchived thread.',
  ThreadResult.clone(),
);
export const ThreadDeleteParamsSchema = named('ThreadDeleteParams', 'Which thread.', ThreadIdParams.clone());
export const ThreadDeleteResultSchema = named(
  'ThreadDeleteResult',
  'The thread and everything in it are gone.',
  z.object({ deleted: z.literal(true) }),
);

export const ThreadStartTurnParamsSchema = named(
  'ThreadStartTurnParams',
  'A prompt to run now, queue behind the running turn, or steer into it (PROTOCOL.md §4.1).',
  z.object({
    threadId: idParam('threadId'),
    prompt: requiredText('prompt'),
    delivery: DeliverySchema.optional(),
    expectedTurnId: z.string().optional(),
    clientRequestId: z.string().min(1).max(256).optional(),
    inputSummary: optionalText('inputSummary'),
    ...turnOptions,
  }),
);
export const ThreadStartTurnResultSchema = named(
  'ThreadStartTurnResult',
  'The started or running turn, and the admission when the prompt was queued.',
  z.object({ turn: TurnSchema, queued: AdmissionSchema.nullable() }),
);

export const ThreadEditLastTurnParamsSchema = named(
  'ThreadEditLastTurnParams',
  'New content for the last user turn (PROTOCOL.md §4.2).',
  z.object({ threadId: idParam('threadId'), content: requiredText('content'), ...turnOptions }),
);
export const ThreadEditLastTurnResultSchema = named(
  'ThreadEditLastTurnResult',
  'The new turn that supersedes the last one.',
  z.object({ turn: TurnSchema, queued: z.null() }),
);

export const ThreadDrainParamsSchema = named('ThreadDrainParams', 'Which thread.', ThreadIdParams.clone());
export const ThreadDrainResultSchema = named(
  'ThreadDrainResult',
  'The turn started from the oldest pending admission (null when none or busy), and how many stay pending.',
  z.object({ turn: TurnSchema.nullable(), remaining: z.number().int().nonnegative() }),
);

export const ThreadInterruptParamsSchema = named(
  'ThreadInterruptParams',
  'Stop the running turn (only `turnId` when given); cancel the queue unless keepQueued.',
  z.object({ threadId: idParam('threadId'), turnId: z.string().optional(), keepQueued: z.boolean().optional() }),
);
export const ThreadInterruptResultSchema = named(
  'ThreadInterruptResult',
  'The interrupted turn (null when none ran) and the admissions cancelled.',
  z.object({ turn: TurnSchema.nullable(), cancelled: z.array(AdmissionSchema) }),
);

export const ThreadCancelQueuedParamsSchema = named(
  'ThreadCancelQueuedParams',
  'Which pending admission to cancel.',
  z.object({ threadId: idParam('threadId'), admissionId: idParam('admissionId') }),
);
export const ThreadCancelQueuedResultSchema = named(
  'ThreadCancelQueuedResult',
  'The cancelled admission.',
  z.object({ admission: AdmissionSchema }),
);

export const ThreadEventsParamsSchema = named(
  'ThreadEventsParams',
  'A page of the event log after `afterSeq`.',
  z.object({
    threadId: idParam('threadId'),
    afterSeq: positiveInt('afterSeq').nonnegative().default(0),
    limit: positiveInt('limit').min(1).max(10000).default(1000),
  }),
);
export const ThreadEventsResultSchema = named(
  'ThreadEventsResult',
  'Events in seq order, exactly as they were sent, and the thread\'s last seq.',
  z.object({ events: z.array(ThreadEventSchema), lastSeq: z.number().int().nonnegative() }),
);

export const ThreadSubscribeParamsSchema = named(
  'ThreadSubscribeParams',
  "Live tail of one thread, from every server process on the database file; the backlog after `afterSeq` (default: the thread's lastSeq) first.",
  z.object({ threadId: idParam('threadId'), afterSeq: positiveInt('afterSeq').nonnegative().optional() }),
);
export const ThreadSubscribeResultSchema = named(
  'ThreadSubscribeResult',
  'The backlog (at most 10000 events after afterSeq; page the rest with thread/events) and the lastSeq after which `thread/event` notifications follow.',
  z.object({ events: z.array(ThreadEventSchema), lastSeq: z.number().int().nonnegative() }),
);
export const ThreadUnsubscribeParamsSchema = named('ThreadUnsubscribeParams', 'Which thread.', ThreadIdParams.clone());
export const ThreadUnsubscribeResultSchema = named(
  'ThreadUnsubscribeResult',
  "The connection is back to receiving only this process's events of the thread.",
  z.object({}),
);

export const TurnGetParamsSchema = named('TurnGetParams', 'Which turn.', z.object({ turnId: idParam('turnId') }));
export const TurnGetResultSchema = named(
  'TurnGetResult',
  'The turn and its items in order.',
  z.object({ turn: TurnSchema, items: z.array(ItemSchema) }),
);

export const TurnWaitParamsSchema = named(
  'TurnWaitParams',
  'Wait until the turn ends; `timeoutMs` bounds the wait (none: wait as long as it runs).',
  z.object({ turnId: idParam('turnId'), timeoutMs: positiveInt('timeoutMs').nonnegative().optional() }),
);
export const TurnWaitResultSchema = named('TurnWaitResult', 'The ended turn.', z.object({ turn: TurnSchema }));

const RulesResult = z.object({ rules: z.array(RoutingRuleSchema) });
export const RoutingGetRulesParamsSchema = named('RoutingGetRulesParams', 'No params.', EmptyParams.clone());
export const RoutingGetRulesResultSchema = named('RoutingGetRulesResult', 'The persisted rules.', RulesResult.clone());
export const RoutingSetRulesParamsSchema = named(
  'RoutingSetRulesParams',
  'The complete new rule list (replaces the old one).',
  z.object({ rules: z.array(RoutingRuleSchema) }),
);
export const RoutingSetRulesResultSchema = named('RoutingSetRulesResult', 'The persisted rules.', RulesResult.clone());

export const UsageGetParamsSchema = named(
  'UsageGetParams',
  'One thread, or all threads when absent.',
  z.object({ threadId: idParam('threadId').optional() }),
);
export const UsageGetResultSchema = named(
  'UsageGetResult',
  'Usage summed over completed turns, and how many turns that is.',
  z.object({ usage: UsageSchema, turns: z.number().int().nonnegative() }),
);

/** Client → server methods (PROTOCOL.md §2, §4): the single source of truth. */
export const Methods = {
  initialize: { params: InitializeParamsSchema, result: InitializeResultSchema },
  shutdown: { params: ShutdownParamsSchema, result: ShutdownResultSchema },
  'thread/create': { params: ThreadCreateParamsSchema, result: ThreadCreateResultSchema },
  'thread/get': { params: ThreadGetParamsSchema, result: ThreadGetResultSchema },
  'thread/list': { params: ThreadListParamsSchema, result: ThreadListResultSchema },
  'thread/update': { params: ThreadUpdateParamsSchema, result: ThreadUpdateResultSchema },
  'thread/archive': { params: ThreadArchiveParamsSchema, result: ThreadArchiveResultSchema },
  'thread/unarchive': { params: ThreadUnarchiveParamsSchema, result: ThreadUnarchiveResultSchema },
  'thread/delete': { params: ThreadDeleteParamsSchema, result: ThreadDeleteResultSchema },
  'thread/startTurn': { params: ThreadStartTurnParamsSchema, result: ThreadStartTurnResultSchema },
  'thread/editLastTurn': { params: ThreadEditLastTurnParamsSchema, result: ThreadEditLastTurnResultSchema },
  'thread/drain': { params: ThreadDrainParamsSchema, result: ThreadDrainResultSchema },
  'thread/interrupt': { params: ThreadInterruptParamsSchema, result: ThreadInterruptResultSchema },
  'thread/cancelQueued': { params: ThreadCancelQueuedParamsSchema, result: ThreadCancelQueuedResultSchema },
  'thread/events': { params: ThreadEventsParamsSchema, result: ThreadEventsResultSchema },
  'thread/subscribe': { params: ThreadSubscribeParamsSchema, result: ThreadSubscribeResultSchema },
  'thread/unsubscribe': { params: ThreadUnsubscribeParamsSchema, result: ThreadUnsubscribeResultSchema },
  'turn/get': { params: TurnGetParamsSchema, result: TurnGetResultSchema },
  'turn/wait': { params: TurnWaitParamsSchema, result: TurnWaitResultSchema },
  'routing/getRules': { params: RoutingGetRulesParamsSchema, result: RoutingGetRulesResultSchema },
  'routing/setRules': { params: RoutingSetRulesParamsSchema, result: RoutingSetRulesResultSchema },
  'usage/get': { params: UsageGetParamsSchema, result: UsageGetResultSchema },
} as const satisfies Record<string, MethodSpec>;

export type MethodName = keyof typeof Methods;
/** What a client sends (defaults make fields optional). */
export type ParamsOf<M extends MethodName> = z.input<(typeof Methods)[M]['params']>;
/** What the server's handler receives after validation (defaults applied). */
export type ParsedParamsOf<M extends MethodName> = z.output<(typeof Methods)[M]['params']>;
/** What a client receives. */
export type ResultOf<M extends MethodName> = z.output<(typeof Methods)[M]['result']>;

export const METHOD_NAMES = Object.keys(Methods) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(Methods, name);
}

/** The notification that ends the process after `shutdown` (LSP convention). */
export const EXIT_NOTIFICATION = 'exit';
