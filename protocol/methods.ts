import * as z from 'zod/mini';
import { idParam } from './ids.js';
import { doc, lazy, named } from './registry.js';
import { method, type MethodSpec } from './methods/spec.js';
import { HistoryMethods } from './methods/history.js';
import { ReportingMethods } from './methods/reporting.js';
import { ApprovalMethods } from './methods/approval.js';
import {
  admissionSchema,
  deliverySchema,
  itemSchema,
  routingRuleSchema,
  threadSchema,
  threadStatusSchema,
  turnSchema,
  usageSchema,
} from './schemas.js';
import { threadEventSchema } from './events.js';
import { mcpServerListSchema } from './mcp-servers.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from './version.js';
import {
  absolutePath,
  clearableText,
  EmptyParams,
  metadataField,
  optionalText,
  positiveInt,
  requiredText,
  TEXT_LIMITS,
  threadField,
  ThreadIdParams,
  threadIdParam,
  threadResult,
  turnField,
  turnIdParam,
  turnOptions,
} from './methods/params.js';

export { TEXT_LIMITS };
export type { MethodSpec };



const InitializeParamsSchema = lazy(() => named(
  'InitializeParams',
  'The first request of a connection.',
  z.object({
    protocolVersion: doc(
      'The protocol version the client speaks (1).',
      z.number({ error: 'protocolVersion is required (a number)' }).check(
        z.refine((v) => SUPPORTED_PROTOCOL_VERSIONS.includes(v), {
          message: `unsupported protocolVersion; this server supports: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`,
        }),
      ),
    ),
    clientInfo: doc(
      'Who the client is (logged).',
      z.optional(
        z.object({
          name: doc('Client name.', z.string()),
          version: doc('Client version.', z.optional(z.string())),
        }),
      ),
    ),
    capabilities: doc(
      'What the client can do.',
      z.optional(z.object({ approvals: doc('The client answers `approval/request` (§6).', z.optional(z.boolean())) })),
    ),
  }),
));

const InitializeResultSchema = lazy(() => named(
  'InitializeResult',
  'What the server is and can do.',
  z.object({
    protocolVersion: doc('The protocol version of this connection.', z.number().check(z.int())),
    serverInfo: doc(
      'The server.',
      z.object({
        name: doc('Always `threadline`.', z.literal('threadline')),
        version: doc("The server's package version.", z.string()),
      }),
    ),
    capabilities: doc(
      'What the server can do.',
      z.object({
        framing: doc('The framing of this connection (`--framing`).', z.enum(['lsp', 'ndjson'])),
        hosts: doc('The built-in engine hosts, plus the `--host` module in use when it is not one of them.', z.array(z.string())),
        steer: doc('Whether the host in use can take `delivery: "steer"` (else a steer is queued).', z.boolean()),
        approvals: doc('The server can ask for approvals (`approval/request`); always true in version 1.', z.boolean()),
        history: doc('The history operations of PROTOCOL.md §12 (fork, revert, queue edits, paging) are served.', z.boolean()),
      }),
    ),
    dbPath: doc('The database file this server uses (`:memory:` for none).', z.string()),
  }),
));


const ShutdownParamsSchema = lazy(() => named('ShutdownParams', 'No params needed.', EmptyParams().clone()));
const ShutdownResultSchema = lazy(() => named(
  'ShutdownResult',
  'Running turns were interrupted and the database flushed; send `exit` next.',
  z.null(),
));


const ThreadCreateParamsSchema = lazy(() => named(
  'ThreadCreateParams',
  'Settings of the new thread; all optional.',
  z.object({
    title: doc('Display title (default `""`).', optionalText('title', TEXT_LIMITS.title)),
    model: doc('Default model of its turns.', optionalText('model')),
    mode: doc('Free-form mode passed to the engine host.', optionalText('mode')),
    cwd: doc('Absolute working directory of its engine; fixed for the thread.', z.optional(absolutePath())),
    systemPrompt: doc('System prompt the engine starts from.', optionalText('systemPrompt', TEXT_LIMITS.systemPrompt)),
    autoApprove: doc('Approvals nobody answers are approved (default false: denied).', z.optional(z.boolean())),
    trustMode: doc('Passed to the engine host (default false).', z.optional(z.boolean())),
    metadata: metadataField(),
    mcpServers: doc(
      "MCP servers of this thread only, in ACP's `session/new` shape; connected in the background when its turns run, their tools offered to its turns alone. Env and header values are stored but never shown again.",
      z.optional(mcpServerListSchema()),
    ),
  }),
));
const ThreadCreateResultSchema = lazy(() => named('ThreadCreateResult', 'The new thread.', threadResult().clone()));

const ThreadGetParamsSchema = lazy(() => named(
  'ThreadGetParams',
  'Which thread, and whether to include its turns.',
  z.object({
    threadId: threadIdParam(),
    includeTurns: doc('Also return every turn, oldest first (superseded ones included).', z.optional(z.boolean())),
  }),
));
const ThreadGetResultSchema = lazy(() => named(
  'ThreadGetResult',
  'The thread, its turns oldest first when asked, and its pending admissions in FIFO order.',
  z.object({
    thread: threadField(),
    turns: doc('Every turn, oldest first; only with `includeTurns`.', z.optional(z.array(turnSchema()))),
    queued: doc('Pending admissions, oldest first.', z.array(admissionSchema())),
  }),
));

const ThreadListParamsSchema = lazy(() => named(
  'ThreadListParams',
  'A page of threads, newest updatedAt first.',
  z.object({
    cursor: doc('`nextCursor` of the previous page; absent for the first.', z.optional(z.string())),
    limit: doc('Page size, 1..200.', z._default(positiveInt('limit').check(z.gte(1), z.lte(200)), 50)),
    archived: doc('true: archived threads only; absent or false: unarchived only.', z.optional(z.boolean())),
    status: doc('Only threads with this status (`idle` or `running`).', z.optional(threadStatusSchema())),
  }),
));
const ThreadListResultSchema = lazy(() => named(
  'ThreadListResult',
  'One page; `nextCursor` is absent on the last page.',
  z.object({
    threads: doc('Newest `updatedAt` first (ties by id).', z.array(threadSchema())),
    nextCursor: doc('Opaque; pass it as `cursor` for the next page. Absent on the last page.', z.optional(z.string())),
  }),
));

const ThreadUpdateParamsSchema = lazy(() => named(
  'ThreadUpdateParams',
  'Fields to replace; absent fields stay, `null` clears model, mode or systemPrompt.',
  z.object({
    threadId: threadIdParam(),
    title: doc('New title.', optionalText('title', TEXT_LIMITS.title)),
    model: doc('New default model; null clears it.', clearableText('model')),
    mode: doc('New mode; null clears it.', clearableText('mode')),
    systemPrompt: doc('New system prompt; null clears it.', clearableText('systemPrompt', TEXT_LIMITS.systemPrompt)),
    autoApprove: doc('New autoApprove.', z.optional(z.boolean())),
    trustMode: doc('New trustMode.', z.optional(z.boolean())),
    metadata: metadataField(),
  }),
));
const ThreadUpdateResultSchema = lazy(() => named('ThreadUpdateResult', 'The updated thread.', threadResult().clone()));

const ThreadArchiveParamsSchema = lazy(() => named('ThreadArchiveParams', 'Which thread.', ThreadIdParams().clone()));
const ThreadArchiveResultSchema = lazy(() => named('ThreadArchiveResult', 'The archived thread.', threadResult().clone()));
const ThreadUnarchiveParamsSchema = lazy(() => named('ThreadUnarchiveParams', 'Which thread.', ThreadIdParams().clone()));
const ThreadUnarchiveResultSchema = lazy(() => named(
  'ThreadUnarchiveResult',
  'The unarchived thread.',
  threadResult().clone(),
));
const ThreadDeleteParamsSchema = lazy(() => named('ThreadDeleteParams', 'Which thread.', ThreadIdParams().clone()));
const ThreadDeleteResultSchema = lazy(() => named(
  'ThreadDeleteResult',
  'The thread and everything in it are gone.',
  z.object({ deleted: doc('Always true.', z.literal(true)) }),
));


const ThreadStartTurnParamsSchema = lazy(() => named(
  'ThreadStartTurnParams',
  'A prompt to run now, queue behind the running turn, or steer into it (PROTOCOL.md §4.1).',
  z.object({
    threadId: threadIdParam(),
    prompt: doc('The user message; trimmed, must not be empty, at most `--max-prompt-bytes`.', requiredText('prompt')),
    delivery: doc(
      'When a turn runs: `queue` it behind, or `steer` it into the running turn. Absent: -32010 when busy.',
      z.optional(deliverySchema()),
    ),
    expectedTurnId: doc('Act only if this turn is the running one (else -32014).', z.optional(z.string())),
    clientRequestId: doc(
      'Idempotency key (1..256 characters): a repeat on the same thread answers the first result.',
      z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    ),
    inputSummary: doc("The turn's `inputSummary` (default: the prompt cut to 200 characters).", optionalText('inputSummary', TEXT_LIMITS.inputSummary)),
    ...turnOptions(),
  }),
));
const ThreadStartTurnResultSchema = lazy(() => named(
  'ThreadStartTurnResult',
  'The started or running turn, and the admission when the prompt was queued.',
  z.object({
    turn: doc('The turn that started, or the running turn the prompt was queued behind or steered into.', turnSchema()),
    queued: doc('The admission when the prompt waits in the inbox, else null.', z.nullable(admissionSchema())),
  }),
));

const ThreadEditLastTurnParamsSchema = lazy(() => named(
  'ThreadEditLastTurnParams',
  'New content for the last user turn (PROTOCOL.md §4.2).',
  z.object({
    threadId: threadIdParam(),
    content: doc('The new user message; trimmed, must not be empty.', requiredText('content')),
    ...turnOptions(),
  }),
));
const ThreadEditLastTurnResultSchema = lazy(() => named(
  'ThreadEditLastTurnResult',
  'The new turn that supersedes the last one.',
  z.object({ turn: doc('The new turn.', turnSchema()), queued: doc('Always null.', z.null()) }),
));

const ThreadDrainParamsSchema = lazy(() => named('ThreadDrainParams', 'Which thread.', ThreadIdParams().clone()));
const ThreadDrainResultSchema = lazy(() => named(
  'ThreadDrainResult',
  'The turn started from the oldest pending admission (null when none or busy), and how many stay pending.',
  z.object({
    turn: doc('The started turn, or null when nothing was pending or the thread is busy.', z.nullable(turnSchema())),
    remaining: doc('Admissions still pending.', z.number().check(z.int(), z.nonnegative())),
  }),
));

const ThreadInterruptParamsSchema = lazy(() => named(
  'ThreadInterruptParams',
  'Stop the running turn (only `turnId` when given); cancel the queue unless keepQueued.',
  z.object({
    threadId: threadIdParam(),
    turnId: doc('Act only if this turn is the running one (else -32014; unknown: -32003).', z.optional(z.string())),
    keepQueued: doc('Keep pending admissions (not auto-promoted; `thread/drain` resumes them).', z.optional(z.boolean())),
  }),
));
const ThreadInterruptResultSchema = lazy(() => named(
  'ThreadInterruptResult',
  'The interrupted turn (null when none ran) and the admissions cancelled.',
  z.object({
    turn: doc('The interrupted turn, or null when none ran.', z.nullable(turnSchema())),
    cancelled: doc('The admissions cancelled.', z.array(admissionSchema())),
  }),
));

const ThreadCancelQueuedParamsSchema = lazy(() => named(
  'ThreadCancelQueuedParams',
  'Which pending admission to cancel.',
  z.object({ threadId: threadIdParam(), admissionId: doc('The pending admission.', idParam('admissionId')) }),
));
const ThreadCancelQueuedResultSchema = lazy(() => named(
  'ThreadCancelQueuedResult',
  'The cancelled admission.',
  z.object({ admission: doc('The admission, now `cancelled`.', admissionSchema()) }),
));

const lastSeqField = lazy(() => doc("The thread's newest seq.", z.number().check(z.int(), z.nonnegative())));

const ThreadEventsParamsSchema = lazy(() => named(
  'ThreadEventsParams',
  'A page of the event log after `afterSeq`.',
  z.object({
    threadId: threadIdParam(),
    afterSeq: doc('Return events with a larger seq.', z._default(positiveInt('afterSeq').check(z.nonnegative()), 0)),
    limit: doc('At most this many events, 1..10000 (a page also stops at about 4 MiB).', z._default(positiveInt('limit').check(z.gte(1), z.lte(10000)), 1000)),
  }),
));
const ThreadEventsResultSchema = lazy(() => named(
  'ThreadEventsResult',
  'Events in seq order, exactly as they were sent, and the thread\'s last seq.',
  z.object({ events: doc('Events in seq order, exactly as they were sent.', z.array(threadEventSchema())), lastSeq: lastSeqField() }),
));

const ThreadSubscribeParamsSchema = lazy(() => named(
  'ThreadSubscribeParams',
  "Live tail of one thread, from every server process on the database file; the backlog after `afterSeq` (default: the thread's lastSeq) first.",
  z.object({
    threadId: threadIdParam(),
    afterSeq: doc("Backlog from after this seq (default: the thread's lastSeq, no backlog).", z.optional(positiveInt('afterSeq').check(z.nonnegative()))),
  }),
));
const ThreadSubscribeResultSchema = lazy(() => named(
  'ThreadSubscribeResult',
  'The backlog (at most 10000 events after afterSeq; page the rest with thread/events) and the lastSeq after which `thread/event` notifications follow.',
  z.object({
    events: doc('The backlog: at most 10000 events after `afterSeq`.', z.array(threadEventSchema())),
    lastSeq: doc('Live `thread/event` notifications follow after this seq.', z.number().check(z.int(), z.nonnegative())),
  }),
));
const ThreadUnsubscribeParamsSchema = lazy(() => named('ThreadUnsubscribeParams', 'Which thread.', ThreadIdParams().clone()));
const ThreadUnsubscribeResultSchema = lazy(() => named(
  'ThreadUnsubscribeResult',
  "The connection is back to receiving only this process's events of the thread.",
  z.object({}),
));


const TurnGetParamsSchema = lazy(() => named('TurnGetParams', 'Which turn.', z.object({ turnId: turnIdParam() })));
const TurnGetResultSchema = lazy(() => named(
  'TurnGetResult',
  'The turn and its items in order.',
  z.object({ turn: turnField(), items: doc('Its items in order.', z.array(itemSchema())) }),
));

const TurnWaitParamsSchema = lazy(() => named(
  'TurnWaitParams',
  'Wait until the turn ends; `timeoutMs` bounds the wait (none: wait as long as it runs).',
  z.object({
    turnId: turnIdParam(),
    timeoutMs: doc('Give up after this many milliseconds (-32013).', z.optional(positiveInt('timeoutMs').check(z.nonnegative()))),
  }),
));
const TurnWaitResultSchema = lazy(() => named(
  'TurnWaitResult',
  'The ended turn.',
  z.object({ turn: doc('The turn, no longer `in_progress`.', turnSchema()) }),
));

const rulesResult = lazy(() => z.object({ rules: doc('The persisted rules, in match order.', z.array(routingRuleSchema())) }));
const RoutingGetRulesParamsSchema = lazy(() => named('RoutingGetRulesParams', 'No params.', EmptyParams().clone()));
const RoutingGetRulesResultSchema = lazy(() => named('RoutingGetRulesResult', 'The persisted rules.', rulesResult().clone()));
const RoutingSetRulesParamsSchema = lazy(() => named(
  'RoutingSetRulesParams',
  'The complete new rule list (replaces the old one).',
  z.object({
    rules: doc(
      `The new rules; the first match wins (at most ${TEXT_LIMITS.routingRules}).`,
      z.array(routingRuleSchema()).check(z.maxLength(TEXT_LIMITS.routingRules, `rules: at most ${TEXT_LIMITS.routingRules} rules`)),
    ),
  }),
));
const RoutingSetRulesResultSchema = lazy(() => named('RoutingSetRulesResult', 'The persisted rules.', rulesResult().clone()));

const UsageGetParamsSchema = lazy(() => named(
  'UsageGetParams',
  'One thread, or all threads when absent.',
  z.object({ threadId: doc('Sum this thread only; absent: every thread.', z.optional(idParam('threadId'))) }),
));
const UsageGetResultSchema = lazy(() => named(
  'UsageGetResult',
  'Usage summed over completed turns, and how many turns that is.',
  z.object({
    usage: doc('The sum over completed turns.', usageSchema()),
    turns: doc('How many turns were summed.', z.number().check(z.int(), z.nonnegative())),
  }),
));

const mcpServerStatusShape = lazy(() => z.object({
  server: doc('The server\'s name in the `--mcp-config` file.', z.string()),
  state: doc('`starting`: connecting (no tools yet); `ready`: its tools are offered to turns that start now; `failed`: none, `error` says why.', z.enum(['starting', 'ready', 'failed'])),
  tools: doc('How many tools it offers now.', z.number().check(z.int(), z.nonnegative())),
  error: doc('Why it failed (or why it was last restarted).', z.optional(z.string())),
  generation: doc('Grows by one at every change of this server: keep the status with the highest.', z.number().check(z.int(), z.nonnegative())),
  threadId: doc("Present for a thread's own server (`thread/create { mcpServers }`): the thread whose turns it serves.", z.optional(z.string())),
}));
/** Built (and registered) on the first call; {@link McpServerStatusSchema} is the same schema, built on import. */
export const mcpServerStatusSchema = lazy(() => named('McpServerStatus', 'One MCP server of this server process (`--mcp-config`).', mcpServerStatusShape()));
export const McpServerStatusSchema = /* @__PURE__ */ mcpServerStatusSchema();
export type McpServerStatus = z.infer<typeof McpServerStatusSchema>;
/** Built (and registered) on the first call; {@link McpStatusParamsSchema} is the same schema, built on import. */
export const mcpStatusParamsSchema = lazy(() =>
  named(
    'McpStatusParams',
    'An MCP server changed state or tool list (notification `mcp/status`, server → client; not in any thread\'s log).',
    mcpServerStatusShape().clone(),
  ),
);
export const McpStatusParamsSchema = /* @__PURE__ */ mcpStatusParamsSchema();
const McpServersParamsSchema = lazy(() => named('McpServersParams', 'No params.', z.object({})));
const McpServersResultSchema = lazy(() => named(
  'McpServersResult',
  'Every MCP server of `--mcp-config`, in the file\'s order (empty without it).',
  z.object({ servers: doc('Their current states.', z.array(mcpServerStatusSchema())) }),
));

/**
 * Client → server methods (PROTOCOL.md §2, §4): the single source of truth. Each row builds its
 * schemas on first read (`method`, `lazy`), so a server pays only for the methods it is asked.
 */
export const Methods = {
  initialize: method(InitializeParamsSchema, InitializeResultSchema, ['InvalidRequest']),
  shutdown: method(ShutdownParamsSchema, ShutdownResultSchema, []),
  'thread/create': method(ThreadCreateParamsSchema, ThreadCreateResultSchema, []),
  'thread/get': method(ThreadGetParamsSchema, ThreadGetResultSchema, ['ThreadNotFound']),
  'thread/list': method(ThreadListParamsSchema, ThreadListResultSchema, []),
  'thread/update': method(ThreadUpdateParamsSchema, ThreadUpdateResultSchema, ['ThreadNotFound']),
  'thread/archive': method(ThreadArchiveParamsSchema, ThreadArchiveResultSchema, ['ThreadNotFound']),
  'thread/unarchive': method(ThreadUnarchiveParamsSchema, ThreadUnarchiveResultSchema, ['ThreadNotFound']),
  'thread/delete': method(ThreadDeleteParamsSchema, ThreadDeleteResultSchema, ['ThreadNotFound', 'ThreadBusy']),
  'thread/startTurn': method(ThreadStartTurnParamsSchema, ThreadStartTurnResultSchema, ['ThreadNotFound', 'ThreadArchived', 'ThreadBusy', 'TurnMismatch', 'QueueFull', 'ThreadLeased', 'HostError']),
  'thread/editLastTurn': method(ThreadEditLastTurnParamsSchema, ThreadEditLastTurnResultSchema, ['ThreadNotFound', 'ThreadArchived', 'ThreadBusy', 'NothingToEdit', 'ThreadLeased', 'HostError']),
  'thread/drain': method(ThreadDrainParamsSchema, ThreadDrainResultSchema, ['ThreadNotFound', 'ThreadArchived', 'ThreadLeased', 'HostError']),
  'thread/interrupt': method(ThreadInterruptParamsSchema, ThreadInterruptResultSchema, ['ThreadNotFound', 'TurnNotFound', 'TurnMismatch', 'ThreadLeased']),
  'thread/cancelQueued': method(ThreadCancelQueuedParamsSchema, ThreadCancelQueuedResultSchema, ['ThreadNotFound', 'AdmissionNotFound']),
  'thread/events': method(ThreadEventsParamsSchema, ThreadEventsResultSchema, ['ThreadNotFound']),
  'thread/subscribe': method(ThreadSubscribeParamsSchema, ThreadSubscribeResultSchema, ['ThreadNotFound']),
  'thread/unsubscribe': method(ThreadUnsubscribeParamsSchema, ThreadUnsubscribeResultSchema, ['ThreadNotFound']),
  'turn/get': method(TurnGetParamsSchema, TurnGetResultSchema, ['TurnNotFound']),
  'turn/wait': method(TurnWaitParamsSchema, TurnWaitResultSchema, ['TurnNotFound', 'Timeout']),
  'routing/getRules': method(RoutingGetRulesParamsSchema, RoutingGetRulesResultSchema, []),
  'routing/setRules': method(RoutingSetRulesParamsSchema, RoutingSetRulesResultSchema, []),
  'usage/get': method(UsageGetParamsSchema, UsageGetResultSchema, ['ThreadNotFound']),
  ...HistoryMethods,
  ...ReportingMethods,
  'mcp/servers': method(McpServersParamsSchema, McpServersResultSchema, []),
  ...ApprovalMethods,
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
