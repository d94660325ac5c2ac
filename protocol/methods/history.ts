import { z } from 'zod';
import { idParam } from '../ids.js';
import { doc, named } from '../registry.js';
import { AdmissionSchema, ItemSchema, TurnSchema } from '../schemas.js';
import type { MethodSpec } from './spec.js';
import { optionalText, positiveInt, requiredText, TEXT_LIMITS, ThreadField, threadIdParam, turnIdParam } from './params.js';

/** History and inbox operations (PROTOCOL.md §12): fork, revert, compaction, queue edits, paging. */

const cursorParam = doc('`nextCursor` of the previous page; absent for the first.', z.string().optional());
const nextCursorField = doc('Opaque; pass it as `cursor` for the next page. Absent on the last page.', z.string().optional());

export const ThreadForkParamsSchema = named(
  'ThreadForkParams',
  "A new thread with a copy of this one's visible history: all of it, or only what came before a turn.",
  z
    .object({
      threadId: threadIdParam,
      beforeTurnId: doc('Copy only the turns created before this turn of the thread.', idParam('beforeTurnId').optional()),
      depthFromTail: doc(
        'Fork before the n-th newest visible turn with a user message (0: the newest); its id and text come back to edit.',
        positiveInt('depthFromTail').nonnegative().optional(),
      ),
      title: doc("The fork's title (default: the source's).", optionalText('title', TEXT_LIMITS.title)),
    })
    .refine((p) => p.beforeTurnId === undefined || p.depthFromTail === undefined, {
      message: 'give beforeTurnId or depthFromTail, not both',
      path: ['depthFromTail'],
    }),
);
export const ThreadForkResultSchema = named(
  'ThreadForkResult',
  'The new thread, how many turns it got, and (with depthFromTail) the turn left out and its user text.',
  z.object({
    thread: ThreadField,
    copiedTurns: doc('Turns copied into the fork.', z.number().int().nonnegative()),
    droppedTurnId: doc('With `depthFromTail`: the source turn the fork stops before; else null.', z.string().nullable()),
    originalUserText: doc("With `depthFromTail`: that turn's user message, to offer for editing; else null.", z.string().nullable()),
  }),
);

export const ThreadRevertParamsSchema = named(
  'ThreadRevertParams',
  'Hide a turn and every later turn from the engine (they stay readable).',
  z.object({ threadId: threadIdParam, beforeTurnId: doc('The first turn to revert.', idParam('beforeTurnId')) }),
);
export const ThreadRevertResultSchema = named(
  'ThreadRevertResult',
  'The thread and the turns reverted, oldest first.',
  z.object({ thread: ThreadField, revertedTurnIds: doc('The turns this call reverted, oldest first.', z.array(z.string())) }),
);
export const ThreadUnrevertParamsSchema = named('ThreadUnrevertParams', 'Which thread.', z.object({ threadId: threadIdParam }));
export const ThreadUnrevertResultSchema = named(
  'ThreadUnrevertResult',
  'The thread and the turns the most recent revert had hidden, restored.',
  z.object({ thread: ThreadField, restoredTurnIds: doc('The turns restored, oldest first.', z.array(z.string())) }),
);

export const ThreadUpdateQueuedParamsSchema = named(
  'ThreadUpdateQueuedParams',
  "A pending prompt's new text (same id, same place in the queue).",
  z.object({
    threadId: threadIdParam,
    admissionId: doc('The pending admission.', idParam('admissionId')),
    prompt: doc('The new prompt; trimmed, must not be empty, at most `--max-prompt-bytes`.', requiredText('prompt')),
  }),
);
export const ThreadUpdateQueuedResultSchema = named(
  'ThreadUpdateQueuedResult',
  'The admission with its new prompt.',
  z.object({ admission: doc('The admission, still pending.', AdmissionSchema) }),
);
export const ThreadReorderQueuedParamsSchema = named(
  'ThreadReorderQueuedParams',
  "The order in which the thread's pending prompts run: exactly their ids.",
  z.object({
    threadId: threadIdParam,
    admissionIds: doc('Every pending admission of the thread, once each, in the new order.', z.array(idParam('admissionIds[]')).max(10_000)),
  }),
);
export const ThreadReorderQueuedResultSchema = named(
  'ThreadReorderQueuedResult',
  'The pending admissions in their new order.',
  z.object({ queued: doc('Pending admissions, in the order they will run.', z.array(AdmissionSchema)) }),
);

export const ThreadTurnsParamsSchema = named(
  'ThreadTurnsParams',
  "A page of the thread's turns (all of them: reverted, superseded and compacted ones too).",
  z.object({
    threadId: threadIdParam,
    cursor: cursorParam,
    limit: doc('Page size, 1..200.', positiveInt('limit').min(1).max(200).default(50)),
    order: doc('`desc`: newest first (default); `asc`: oldest first.', z.enum(['asc', 'desc']).default('desc')),
  }),
);
export const ThreadTurnsResultSchema = named(
  'ThreadTurnsResult',
  'One page of turns; `nextCursor` is absent on the last page.',
  z.object({ turns: doc('Turns in the order asked for.', z.array(TurnSchema)), nextCursor: nextCursorField }),
);

export const TurnItemsParamsSchema = named(
  'TurnItemsParams',
  "A page of a turn's items, in the turn's order.",
  z.object({
    turnId: turnIdParam,
    cursor: cursorParam,
    limit: doc('Page size, 1..500.', positiveInt('limit').min(1).max(500).default(100)),
  }),
);
export const TurnItemsResultSchema = named(
  'TurnItemsResult',
  'One page of items; `nextCursor` is absent on the last page.',
  z.object({ items: doc("Items in the turn's order.", z.array(ItemSchema)), nextCursor: nextCursorField }),
);

export const ThreadCompactParamsSchema = named(
  'ThreadCompactParams',
  'Summarise the visible history into one `context_compaction` item; from then on the engine sees the summary instead.',
  z.object({
    threadId: threadIdParam,
    instructions: doc(
      'What the summary should keep or stress, passed to the host; at most `--max-prompt-bytes`.',
      optionalText('instructions', TEXT_LIMITS.systemPrompt),
    ),
  }),
);
export const ThreadCompactResultSchema = named(
  'ThreadCompactResult',
  'The compaction turn, running; it ends with `turn.completed` like any turn.',
  z.object({ turn: doc('The new turn, of kind `compaction`.', TurnSchema) }),
);

export const HistoryMethods = {
  'thread/fork': { params: ThreadForkParamsSchema, result: ThreadForkResultSchema, errors: ['ThreadNotFound', 'TurnNotFound'] },
  'thread/revert': {
    params: ThreadRevertParamsSchema,
    result: ThreadRevertResultSchema,
    errors: ['ThreadNotFound', 'TurnNotFound', 'ThreadBusy', 'ThreadLeased'],
  },
  'thread/unrevert': {
    params: ThreadUnrevertParamsSchema,
    result: ThreadUnrevertResultSchema,
    errors: ['ThreadNotFound', 'ThreadBusy', 'NothingToEdit', 'ThreadLeased'],
  },
  'thread/updateQueued': {
    params: ThreadUpdateQueuedParamsSchema,
    result: ThreadUpdateQueuedResultSchema,
    errors: ['ThreadNotFound', 'AdmissionNotFound'],
  },
  'thread/reorderQueued': { params: ThreadReorderQueuedParamsSchema, result: ThreadReorderQueuedResultSchema, errors: ['ThreadNotFound'] },
  'thread/compact': {
    params: ThreadCompactParamsSchema,
    result: ThreadCompactResultSchema,
    errors: ['ThreadNotFound', 'ThreadBusy', 'ThreadArchived', 'ThreadLeased', 'HostError'],
  },
  'thread/turns': { params: ThreadTurnsParamsSchema, result: ThreadTurnsResultSchema, errors: ['ThreadNotFound'] },
  'turn/items': { params: TurnItemsParamsSchema, result: TurnItemsResultSchema, errors: ['TurnNotFound'] },
} as const satisfies Record<string, MethodSpec>;
