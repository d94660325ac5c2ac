import { z } from 'zod';
import { ItemIdSchema, ThreadIdSchema, TurnIdSchema } from './ids.js';
import { named } from './registry.js';
import { AdmissionSchema, ItemSchema, ThreadSchema, TimestampSchema, TurnSchema } from './schemas.js';

/** The one server → client notification; its params are a {@link ThreadEvent}. */
export const THREAD_EVENT_NOTIFICATION = 'thread/event';

const ThreadPayload = z.object({ thread: ThreadSchema });

export const ApprovalKindSchema = z.enum(['shell', 'edit', 'tool']);
export type ApprovalKind = z.infer<typeof ApprovalKindSchema>;

export const ApprovalDecisionSchema = z.enum(['approve', 'deny']);
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

export const ApprovalRequestSchema = named(
  'ApprovalRequest',
  'What an engine asks permission for.',
  z.object({ kind: ApprovalKindSchema, summary: z.string(), detail: z.string() }),
);
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

/** Event kind → payload schema (PROTOCOL.md §5). Declared once; types and JSON Schema derive from it. */
export const Events = {
  'thread.created': named('ThreadCreatedPayload', 'A thread was created.', ThreadPayload.clone()),
  'thread.updated': named('ThreadUpdatedPayload', 'thread/update changed a thread.', ThreadPayload.clone()),
  'thread.archived': named('ThreadArchivedPayload', 'A thread was archived.', ThreadPayload.clone()),
  'thread.unarchived': named('ThreadUnarchivedPayload', 'A thread was unarchived.', ThreadPayload.clone()),
  'prompt.admitted': named(
    'PromptAdmittedPayload',
    'A prompt entered the durable inbox as pending.',
    z.object({ admission: AdmissionSchema }),
  ),
  'prompt.promoted': named(
    'PromptPromotedPayload',
    'A prompt became a turn (or joined the running turn, for a steer).',
    z.object({ admission: AdmissionSchema, turnId: TurnIdSchema }),
  ),
  'prompt.cancelled': named(
    'PromptCancelledPayload',
    'A pending prompt was cancelled and will never run.',
    z.object({ admission: AdmissionSchema }),
  ),
  'turn.started': named('TurnStartedPayload', 'A turn started.', z.object({ turn: TurnSchema })),
  'turn.superseded': named(
    'TurnSupersededPayload',
    'thread/editLastTurn replaced a turn by a new one.',
    z.object({ turnId: TurnIdSchema, supersededBy: TurnIdSchema }),
  ),
  'item.started': named('ItemStartedPayload', 'An item began.', z.object({ item: ItemSchema })),
  'item.delta': named(
    'ItemDeltaPayload',
    'Text appended to an item; consecutive deltas of one item may be coalesced (≤ 50 ms).',
    z.object({ itemId: ItemIdSchema, text: z.string() }),
  ),
  'item.completed': named(
    'ItemCompletedPayload',
    'An item ended; carries the full `detail`.',
    z.object({ item: ItemSchema }),
  ),
  'approval.requested': named(
    'ApprovalRequestedPayload',
    'The engine asked for an approval.',
    z.object({ approvalId: z.string(), itemId: ItemIdSchema, request: ApprovalRequestSchema }),
  ),
  'approval.resolved': named(
    'ApprovalResolvedPayload',
    'An approval was decided: by the client, by the thread\'s autoApprove, or denied by an interrupt.',
    z.object({
      approvalId: z.string(),
      decision: ApprovalDecisionSchema,
      reason: z.enum(['client', 'auto_approve', 'interrupted', 'timed_out']).optional(),
    }),
  ),
  'turn.completed': named(
    'TurnCompletedPayload',
    "A turn ended; always the turn's last event. `turn.status` tells how.",
    z.object({ turn: TurnSchema }),
  ),
} as const;

export type EventKind = keyof typeof Events;
export type EventPayload<K extends EventKind> = z.infer<(typeof Events)[K]>;
export const EVENT_KINDS = Object.keys(Events) as EventKind[];

const envelope = {
  seq: z.number().int().positive(),
  threadId: ThreadIdSchema,
  turnId: TurnIdSchema.optional(),
  itemId: ItemIdSchema.optional(),
  time: TimestampSchema,
};

function eventSchema<K extends EventKind>(kind: K) {
  return z.object({ ...envelope, kind: z.literal(kind), payload: Events[kind] });
}

type EventSchemaOf<K extends EventKind> = ReturnType<typeof eventSchema<K>>;

export const ThreadEventSchema = named(
  'ThreadEvent',
  'One entry of a thread\'s append-only event log: `seq` is 1, 2, 3… per thread, without gaps.',
  z.discriminatedUnion(
    'kind',
    EVENT_KINDS.map((kind) => eventSchema(kind)) as unknown as [
      EventSchemaOf<EventKind>,
      ...EventSchemaOf<EventKind>[],
    ],
  ),
);

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
