import * as z from 'zod/mini';
import { itemIdSchema, threadIdSchema, turnIdSchema } from './ids.js';
import { approvalRuleSchema } from './approval-rules.js';
import { doc, lazy, named } from './registry.js';
import { admissionSchema, contextUsageSchema, itemSchema, threadSchema, timestampSchema, turnSchema } from './schemas.js';

/** The one server → client notification; its params are a {@link ThreadEvent}. */
export const THREAD_EVENT_NOTIFICATION = 'thread/event';

export const approvalKindSchema = lazy(() => z.enum(['shell', 'edit', 'tool']));
export const ApprovalKindSchema = /* @__PURE__ */ approvalKindSchema();
export type ApprovalKind = z.infer<typeof ApprovalKindSchema>;

export const approvalDecisionSchema = lazy(() => z.enum(['approve', 'deny']));
export const ApprovalDecisionSchema = /* @__PURE__ */ approvalDecisionSchema();
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** Built (and registered) on the first call; {@link ApprovalRequestSchema} is the same schema, built on import. */
export const approvalRequestSchema = lazy(() =>
  named(
    'ApprovalRequest',
    'What an engine asks permission for.',
    z.object({
      kind: doc('`shell`: run a command; `edit`: change a file; `tool`: call another tool.', approvalKindSchema()),
      summary: doc('One line to show the user.', z.string()),
      detail: doc('The full request (command line, diff, tool arguments).', z.string()),
    }),
  ),
);
export const ApprovalRequestSchema = /* @__PURE__ */ approvalRequestSchema();
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

/**
 * Event kind → payload schema (PROTOCOL.md §5). Declared once; types and JSON Schema derive from
 * it. Built on first use ({@link eventPayloads}): a server never validates the events it writes,
 * and building these hundred-odd schemas was the largest part of loading this package.
 */
function buildEvents() {
  const ThreadPayload = z.object({ thread: doc('The thread as of this event (its `lastSeq` counts this event).', threadSchema()) });
  const AdmissionField = doc('The admission, in its new state.', admissionSchema());
  const ApprovalId = doc('Id of the approval, unique within the server process.', z.string());
  return {
    'thread.created': named('ThreadCreatedPayload', 'A thread was created.', ThreadPayload.clone()),
    'thread.updated': named('ThreadUpdatedPayload', 'thread/update changed a thread.', ThreadPayload.clone()),
    'thread.archived': named('ThreadArchivedPayload', 'A thread was archived.', ThreadPayload.clone()),
    'thread.unarchived': named('ThreadUnarchivedPayload', 'A thread was unarchived.', ThreadPayload.clone()),
    'prompt.admitted': named(
      'PromptAdmittedPayload',
      'A prompt entered the durable inbox as pending.',
      z.object({ admission: AdmissionField }),
    ),
    'prompt.promoted': named(
      'PromptPromotedPayload',
      'A prompt became a turn (or joined the running turn, for a steer).',
      z.object({ admission: AdmissionField, turnId: doc('The turn it started or joined.', turnIdSchema()) }),
    ),
    'prompt.cancelled': named(
      'PromptCancelledPayload',
      'A pending prompt was cancelled and will never run.',
      z.object({ admission: AdmissionField }),
    ),
    'turn.started': named(
      'TurnStartedPayload',
      'A turn started.',
      z.object({ turn: doc('The new turn, `in_progress`.', turnSchema()) }),
    ),
    'turn.superseded': named(
      'TurnSupersededPayload',
      'thread/editLastTurn replaced a turn by a new one.',
      z.object({
        turnId: doc('The replaced turn.', turnIdSchema()),
        supersededBy: doc('The new turn that replaces it.', turnIdSchema()),
      }),
    ),
    'turn.interruptRequested': named(
      'TurnInterruptRequestedPayload',
      'Another server process on the database asked to stop this running turn (ACP `session/cancel`); the process that runs it interrupts it, which ends it with `turn.completed` as usual.',
      z.object({
        turnId: doc('The running turn to stop.', turnIdSchema()),
        keepQueued: doc('true: the queue stays and its oldest prompt starts after the interrupt; false: the queue is cancelled.', z.boolean()),
      }),
    ),
    'item.started': named(
      'ItemStartedPayload',
      'An item began.',
      z.object({ item: doc('The new item, `in_progress`.', itemSchema()) }),
    ),
    'item.delta': named(
      'ItemDeltaPayload',
      'Text appended to an item; consecutive deltas of one item may be coalesced (≤ 50 ms).',
      z.object({
        itemId: doc('The item the text belongs to.', itemIdSchema()),
        text: doc('The text to append.', z.string()),
      }),
    ),
    'item.completed': named(
      'ItemCompletedPayload',
      'An item ended; carries the full `detail`.',
      z.object({ item: doc('The ended item, with its full `detail`.', itemSchema()) }),
    ),
    'approval.requested': named(
      'ApprovalRequestedPayload',
      'The engine asked for an approval.',
      z.object({
        approvalId: ApprovalId,
        itemId: doc('The `tool_call` item that waits for it.', itemIdSchema()),
        request: doc('What is asked.', approvalRequestSchema()),
      }),
    ),
    'approval.resolved': named(
      'ApprovalResolvedPayload',
      'An approval was decided: by the client, by a stored rule, by the thread\'s autoApprove, or denied by an interrupt.',
      z.object({
        approvalId: ApprovalId,
        decision: doc('The decision the engine got.', approvalDecisionSchema()),
        reason: doc(
          'Who decided: the `client`, a stored approval `rule`, the thread\'s `auto_approve`, an interrupt (`interrupted`, deny) or nobody in time (`timed_out`, deny).',
          z.optional(z.enum(['client', 'rule', 'auto_approve', 'interrupted', 'timed_out'])),
        ),
        ruleId: doc('With `reason: "rule"`: the rule that decided; with `client`: the rule the answer stored.', z.optional(z.string())),
      }),
    ),
    'approval.ruleAdded': named(
      'ApprovalRuleAddedPayload',
      'An approval rule scoped to this thread was stored (an `approveForThread` answer, or an `*Always` one with thread scope).',
      z.object({ rule: doc('The new rule.', approvalRuleSchema()) }),
    ),
    'approval.ruleRevoked': named(
      'ApprovalRuleRevokedPayload',
      '`approval/revokeRule` removed an approval rule scoped to this thread.',
      z.object({ rule: doc('The rule as it was.', approvalRuleSchema()) }),
    ),
    'thread.forked': named(
      'ThreadForkedPayload',
      "A fork's first event (seq 1): the new thread and where it was copied from.",
      z.extend(ThreadPayload, {
        source: doc(
          'The source thread, and the first of its turns not copied (absent: the whole visible history).',
          z.object({ threadId: doc('The source thread.', threadIdSchema()), turnId: doc('The first source turn not copied.', z.optional(turnIdSchema())) }),
        ),
      }),
    ),
    'thread.imported': named(
      'ThreadImportedPayload',
      "An import's first event (seq 1): the new thread and how many turns it got.",
      z.extend(ThreadPayload, { importedTurns: doc('Turns written into the new thread.', z.number().check(z.int(), z.nonnegative())) }),
    ),
    'thread.reverted': named(
      'ThreadRevertedPayload',
      'thread/revert hid these turns from the engine (they stay readable, marked `revertedAt`).',
      z.object({ revertedTurnIds: doc('The turns reverted, oldest first.', z.array(turnIdSchema())) }),
    ),
    'thread.unreverted': named(
      'ThreadUnrevertedPayload',
      'thread/unrevert restored the turns of the most recent revert.',
      z.object({ restoredTurnIds: doc('The turns restored, oldest first.', z.array(turnIdSchema())) }),
    ),
    'prompt.updated': named(
      'PromptUpdatedPayload',
      'thread/updateQueued replaced a pending prompt (same id, same place in the queue).',
      z.object({ admission: AdmissionField }),
    ),
    'queue.reordered': named(
      'QueueReorderedPayload',
      'thread/reorderQueued set the order in which the pending prompts will run.',
      z.object({ admissionIds: doc('Every pending admission, in the order they will run.', z.array(z.string())) }),
    ),
    'context.usage': named(
      'ContextUsagePayload',
      "After a model call: how many tokens the thread's context holds and the model's window (`size: null` when the host does not know it). `thread/get` shows the latest as `thread.contextUsage`.",
      contextUsageSchema().clone(),
    ),
    'turn.completed': named(
      'TurnCompletedPayload',
      "A turn ended; always the turn's last event. `turn.status` tells how.",
      z.object({ turn: doc('The ended turn with its final status, usage and error.', turnSchema()) }),
    ),
  } as const;
}

/** The payload schemas, built (and registered) on the first call. */
export const eventPayloads = lazy(buildEvents);
/** {@link eventPayloads} built: importing it builds them, so the protocol's own modules call the function. */
export const Events: ReturnType<typeof buildEvents> = /* @__PURE__ */ eventPayloads();

export type EventKind = keyof ReturnType<typeof buildEvents>;
export type EventPayload<K extends EventKind> = z.infer<ReturnType<typeof buildEvents>[K]>;
/** Every kind, in the order of {@link Events} (known without building it). */
export const EVENT_KINDS: EventKind[] = [
  'thread.created',
  'thread.updated',
  'thread.archived',
  'thread.unarchived',
  'prompt.admitted',
  'prompt.promoted',
  'prompt.cancelled',
  'turn.started',
  'turn.superseded',
  'turn.interruptRequested',
  'item.started',
  'item.delta',
  'item.completed',
  'approval.requested',
  'approval.resolved',
  'approval.ruleAdded',
  'approval.ruleRevoked',
  'thread.forked',
  'thread.imported',
  'thread.reverted',
  'thread.unreverted',
  'prompt.updated',
  'queue.reordered',
  'context.usage',
  'turn.completed',
];
// A kind missing from EVENT_KINDS fails to compile here.
const listsEveryKind: [Exclude<EventKind, (typeof EVENT_KINDS)[number]>] extends [never] ? true : false = true;
void listsEveryKind;

const envelope = () => ({
  seq: doc('Position in the thread\'s log: 1, 2, 3… without gaps or repeats.', z.number().check(z.int(), z.positive())),
  threadId: doc('The thread whose log holds it.', threadIdSchema()),
  turnId: doc('The turn it concerns, if any.', z.optional(turnIdSchema())),
  itemId: doc('The item it concerns, if any.', z.optional(itemIdSchema())),
  time: doc('When it was committed (ISO-8601 UTC).', timestampSchema()),
});

/** `thread.created` → `ThreadCreatedEvent`: the `$defs` name of one kind's whole event. */
export function eventDefName(kind: EventKind): string {
  return `${kind.replace(/(^|\.)([a-z])/g, (_m, _dot: string, c: string) => c.toUpperCase())}Event`;
}

function eventSchema<K extends EventKind>(kind: K) {
  return named(
    eventDefName(kind),
    `A \`${kind}\` event.`,
    z.object({
      ...envelope(),
      kind: doc('The event kind; it decides the payload.', z.literal(kind)),
      payload: doc('What happened.', eventPayloads()[kind]),
    }),
  );
}

type EventSchemaOf<K extends EventKind> = ReturnType<typeof eventSchema<K>>;

/** The schema of any event, built (and registered) on the first call, with {@link eventPayloads}. */
export const threadEventSchema = lazy(() =>
  named(
    'ThreadEvent',
    'One entry of a thread\'s append-only event log: `seq` is 1, 2, 3… per thread, without gaps.',
    z.discriminatedUnion(
      'kind',
      EVENT_KINDS.map((kind) => eventSchema(kind)) as unknown as [
        EventSchemaOf<EventKind>,
        ...EventSchemaOf<EventKind>[],
      ],
    ),
  ),
);
/** {@link threadEventSchema} built (importing it builds it). */
export const ThreadEventSchema = /* @__PURE__ */ threadEventSchema();

/** One event of kind K, as sent in `thread/event` and returned by `thread/events`. */
export interface ThreadEventOf<K extends EventKind> {
  seq: number;
  threadId: string;
  turnId?: string;
  itemId?: string;
  kind: K;
  payload: EventPayload<K>;
  time: string;
}

/** Any event; narrow on `kind`. Named `ThreadEvent`, never `Event` (the DOM/Node global). */
export type ThreadEvent = { [K in EventKind]: ThreadEventOf<K> }[EventKind];
