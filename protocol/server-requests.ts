import { z } from 'zod';
import { ApprovalDecisionSchema, ApprovalKindSchema } from './events.js';
import { ItemIdSchema, ThreadIdSchema, TurnIdSchema } from './ids.js';
import { named } from './registry.js';

export const ApprovalRequestParamsSchema = named(
  'ApprovalRequestParams',
  'The server asks a client that declared `approvals` to decide (PROTOCOL.md §6).',
  z.object({
    threadId: ThreadIdSchema,
    turnId: TurnIdSchema,
    itemId: ItemIdSchema,
    approvalId: z.string(),
    kind: ApprovalKindSchema,
    summary: z.string(),
    detail: z.string(),
  }),
);
export type ApprovalRequestParams = z.infer<typeof ApprovalRequestParamsSchema>;

export const ApprovalRequestResultSchema = named(
  'ApprovalRequestResult',
  "The client's decision.",
  z.object({ decision: ApprovalDecisionSchema }),
);
export type ApprovalRequestResult = z.infer<typeof ApprovalRequestResultSchema>;

/** Server → client requests. */
export const ServerRequests = {
  'approval/request': { params: ApprovalRequestParamsSchema, result: ApprovalRequestResultSchema },
} as const;

export type ServerRequestName = keyof typeof ServerRequests;
