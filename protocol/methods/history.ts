import * as z from 'zod/mini';
import { idParam } from '../ids.js';
import { doc, lazy, named } from '../registry.js';
import { admissionSchema, itemSchema, turnSchema } from '../schemas.js';
import { method, type MethodSpec } from './spec.js';
import { optionalText, positiveInt, requiredText, TEXT_LIMITS, threadField, threadIdParam, turnIdParam } from './params.js';

/** History and inbox operations (PROTOCOL.md §12): fork, revert, compaction, queue edits, paging. */

const cursorParam = lazy(() => doc('`nextCursor` of the previous page; absent for the first.', z.optional(z.string())));
const nextCursorField = lazy(() => doc('Opaque; pass it as `cursor` for the next page. Absent on the last page.', z.optional(z.string())));

const ThreadForkParamsSchema = lazy(() => named(
  'ThreadForkParams',
  "A new thread with a copy of this one's visible history: all of it, or only what came before a turn.",
  z
    .object({
      threadId: threadIdParam(),
      beforeTurnId: doc('Copy only the turns created before this turn of the thread.', z.optional(idParam('beforeTurnId'))),
      depthFromTail: doc(
        'Fork before the n-th newest visible turn with a user message (0: the newest); its id and text come back to edit.',
        z.optional(positiveInt('depthFromTail').check(z.nonnegative())),
      ),
      title: doc("The fork's title (default: the source's).", optionalText('title', TEXT_LIMITS.title)),
    })
    .check(
      z.refine((p) => p.beforeTurnId === undefined || p.depthFromTail === undefined, {
        message: 'give beforeTurnId or depthFromTail, not both',
        path: ['depthFromTail'],
      }),
    ),
));
const ThreadForkResultSchema = lazy(() => named(
  'ThreadForkResult',
  'The new thread, how many turns it got, and (with depthFromTail) the turn left out and its user text.',
  z.object({
    thread: threadField(),
    copiedTurns: doc('Turns copied into the fork.', z.number().check(z.int(), z.nonnegative())),
    droppedTurnId: doc('With `depthFromTail`: the source turn the fork stops before; else null.', z.nullable(z.string())),
    originalUserText: doc("With `depthFromTail`: that turn's user message, to offer for editing; else null.", z.nullable(z.string())),
  }),
));

const ThreadRevertParamsSchema = lazy(() => named(
  'ThreadRevertParams',
  'Hide a turn and every later turn from the engine (they stay readable).',
  z.object({ threadId: threadIdParam(), beforeTurnId: doc('The first turn to revert.', idParam('beforeTurnId')) }),
));
const ThreadRevertResultSchema = lazy(() => named(
  'ThreadRevertResult',
  'The thread and the turns reverted, oldest first.',
  z.object({ thread: threadField(), revertedTurnIds: doc('The turns this call reverted, oldest first.', z.array(z.string())) }),
));
const ThreadUnrevertParamsSchema = lazy(() => named('ThreadUnrevertParams', 'Which thread.', z.object({ threadId: threadIdParam() })));
const ThreadUnrevertResultSchema = lazy(() => named(
  'ThreadUnrevertResult',
  'The thread and the turns the most recent revert had hidden, restored.',
  z.object({ thread: threadField(), restoredTurnIds: doc('The turns restored, oldest first.', z.array(z.string())) }),
));

const ThreadUpdateQueuedParamsSchema = lazy(() => named(
  'ThreadUpdateQueuedParams',
  "A pending prompt's new text (same id, same place in the queue).",
  z.object({
    threadId: threadIdParam(),
    admissionId: doc('The pending admission.', idParam('admissionId')),
    prompt: doc('The new prompt; trimmed, must not be empty, at most `--max-prompt-bytes`.', requiredText('prompt')),
  }),
));
const ThreadUpdateQueuedResultSchema = lazy(() => named(
  'ThreadUpdateQueuedResult',
  'The admission with its new prompt.',
  z.object({ admission: doc('The admission, still pending.', admissionSchema()) }),
));
const ThreadReorderQueuedParamsSchema = lazy(() => named(
  'ThreadReorderQueuedParams',
  "The order in which the thread's pending prompts run: exactly their ids.",
  z.object({
    threadId: threadIdParam(),
    admissionIds: doc('Every pending admission of the thread, once each, in the new order.', z.array(idParam('admissionIds[]')).check(z.maxLength(10_000))),
  }),
));
const ThreadReorderQueuedResultSchema = lazy(() => named(
  'ThreadReorderQueuedResult',
  'The pending admissions in their new order.',
  z.object({ queued: doc('Pending admissions, in the order they will run.', z.array(admissionSchema())) }),
));

const ThreadTurnsParamsSchema = lazy(() => named(
  'ThreadTurnsParams',
  "A page of the thread's turns (all of them: reverted, superseded and compacted ones too).",
  z.object({
    threadId: threadIdParam(),
    cursor: cursorParam(),
    limit: doc('Page size, 1..200.', z._default(positiveInt('limit').check(z.gte(1), z.lte(200)), 50)),
    order: doc('`desc`: newest first (default); `asc`: oldest first.', z._default(z.enum(['asc', 'desc']), 'desc')),
  }),
));
const ThreadTurnsResultSchema = lazy(() => named(
  'ThreadTurnsResult',
  'One page of turns; `nextCursor` is absent on the last page.',
  z.object({ turns: doc('Turns in the order asked for.', z.array(turnSchema())), nextCursor: nextCursorField() }),
));

const TurnItemsParamsSchema = lazy(() => named(
  'TurnItemsParams',
  "A page of a turn's items, in the turn's order.",
  z.object({
    turnId: turnIdParam(),
    cursor: cursorParam(),
    limit: doc('Page size, 1..500.', z._default(positiveInt('limit').check(z.gte(1), z.lte(500)), 100)),
  }),
));
const TurnItemsResultSchema = lazy(() => named(
  'TurnItemsResult',
  'One page of items; `nextCursor` is absent on the last page.',
  z.object({ items: doc("Items in the turn's order.", z.array(itemSchema())), nextCursor: nextCursorField() }),
));

const ThreadCompactParamsSchema = lazy(() => named(
  'ThreadCompactParams',
  'Summarise the visible history into one `context_compaction` item; from then on the engine sees the summary instead.',
  z.object({
    threadId: threadIdParam(),
    instructions: doc(
      'What the summary should keep or stress, passed to the host; at most `--max-prompt-bytes`.',
      optionalText('instructions', TEXT_LIMITS.systemPrompt),
    ),
  }),
));
const ThreadCompactResultSchema = lazy(() => named(
  'ThreadCompactResult',
  'The compaction turn, running; it ends with `turn.completed` like any turn.',
  z.object({ turn: doc('The new turn, of kind `compaction`.', turnSchema()) }),
));

export const HistoryMethods = {
  'thread/fork': method(ThreadForkParamsSchema, ThreadForkResultSchema, ['ThreadNotFound', 'TurnNotFound']),
  'thread/revert': method(ThreadRevertParamsSchema, ThreadRevertResultSchema, ['ThreadNotFound', 'TurnNotFound', 'ThreadBusy', 'ThreadLeased']),
  'thread/unrevert': method(ThreadUnrevertParamsSchema, ThreadUnrevertResultSchema, ['ThreadNotFound', 'ThreadBusy', 'NothingToEdit', 'ThreadLeased']),
  'thread/updateQueued': method(ThreadUpdateQueuedParamsSchema, ThreadUpdateQueuedResultSchema, ['ThreadNotFound', 'AdmissionNotFound']),
  'thread/reorderQueued': method(ThreadReorderQueuedParamsSchema, ThreadReorderQueuedResultSchema, ['ThreadNotFound']),
  'thread/compact': method(ThreadCompactParamsSchema, ThreadCompactResultSchema, ['ThreadNotFound', 'ThreadBusy', 'ThreadArchived', 'ThreadLeased', 'HostError']),
  'thread/turns': method(ThreadTurnsParamsSchema, ThreadTurnsResultSchema, ['ThreadNotFound']),
  'turn/items': method(TurnItemsParamsSchema, TurnItemsResultSchema, ['TurnNotFound']),
} as const satisfies Record<string, MethodSpec>;
