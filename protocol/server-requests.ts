import { z } from 'zod';
import { ApprovalAnswerSchema, ApprovalChoiceSchema, RuleDraftSchema } from './approval-rules.js';
import { ApprovalKindSchema } from './events.js';
import { ItemIdSchema, ThreadIdSchema, TurnIdSchema } from './ids.js';
import { doc, named } from './registry.js';
import { McpStatusParamsSchema } from './methods.js';

export const ApprovalRequestParamsSchema = named(
  'ApprovalRequestParams',
  'The server asks a client that declared `approvals` to decide (PROTOCOL.md §6).',
  z.object({
    threadId: doc('The thread of the turn that asks.', ThreadIdSchema),
    turnId: doc('The turn that waits for the decision.', TurnIdSchema),
    itemId: doc('The `tool_call` item that waits for it.', ItemIdSchema),
    approvalId: doc('Id of the approval, as in the `approval.*` events.', z.string()),
    kind: doc('`shell`: run a command; `edit`: change a file; `tool`: call another tool.', ApprovalKindSchema),
    summary: doc('One line to show the user.', z.string()),
    detail: doc('The full request (command line, diff, tool arguments).', z.string()),
    availableDecisions: doc(
      'The decisions the client may answer; absent (older servers): `approve` and `deny`. The `*ForThread` and `*Always` ones are offered when there is a proposed rule.',
      z.array(ApprovalChoiceSchema).optional(),
    ),
    proposedRule: doc(
      'The rule the server proposes for an `approveForThread` / `approveAlways` / `denyAlways` answer: a command prefix for a shell command, the file\'s directory + `/**` for a file, the tool name for another tool; scoped to the thread\'s `cwd` (global without one). Absent when the engine did not say what it runs.',
      RuleDraftSchema.optional(),
    ),
  }),
);
export type ApprovalRequestParams = z.infer<typeof ApprovalRequestParamsSchema>;

export const ApprovalRequestResultSchema = named(
  'ApprovalRequestResult',
  "The client's decision: `{ decision: \"approve\" | \"deny\" }` as in every version, or one of `availableDecisions` (with a `rule` for the `*Always` ones).",
  ApprovalAnswerSchema.clone(),
);
export type ApprovalRequestResult = z.infer<typeof ApprovalRequestResultSchema>;

/** Server → client requests. */
export const ServerRequests = {
  'approval/request': { params: ApprovalRequestParamsSchema, result: ApprovalRequestResultSchema },
} as const;

export type ServerRequestName = keyof typeof ServerRequests;

export const CancelRequestParamsSchema = named(
  'CancelRequestParams',
  'The server withdraws an `approval/request` it sent (interrupted or timed out): do not answer it; a late answer is ignored.',
  z.object({ id: doc('The JSON-RPC id of the withdrawn request.', z.union([z.number().int(), z.string()])) }),
);

export const ExitParamsSchema = named(
  'ExitParams',
  'No params (absent or null). The server ends the process with exit code 0, after `shutdown` or without it.',
  z.null(),
);

/**
 * Notifications other than `thread/event` (which is `x-notification` of the JSON Schema), with the
 * direction they travel. `$/cancelRequest` is vscode-jsonrpc's own; listed so other languages know it.
 */
/** An MCP server's status changed (PROTOCOL.md, MCP servers). */
export const MCP_STATUS_NOTIFICATION = 'mcp/status';

export const Notifications = {
  exit: { params: ExitParamsSchema, direction: 'client-to-server' },
  '$/cancelRequest': { params: CancelRequestParamsSchema, direction: 'server-to-client' },
  'mcp/status': { params: McpStatusParamsSchema, direction: 'server-to-client' },
} as const;
