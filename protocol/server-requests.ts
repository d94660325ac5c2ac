import * as z from 'zod/mini';
import { approvalAnswerSchema, approvalChoiceSchema, ruleDraftSchema } from './approval-rules.js';
import { approvalKindSchema } from './events.js';
import { itemIdSchema, threadIdSchema, turnIdSchema } from './ids.js';
import { doc, lazy, named } from './registry.js';
import { mcpStatusParamsSchema } from './methods.js';

/** Built (and registered) on the first call; {@link ApprovalRequestParamsSchema} is the same schema, built on import. */
export const approvalRequestParamsSchema = lazy(() =>
  named(
    'ApprovalRequestParams',
    'The server asks a client that declared `approvals` to decide (PROTOCOL.md §6).',
    z.object({
      threadId: doc('The thread of the turn that asks.', threadIdSchema()),
      turnId: doc('The turn that waits for the decision.', turnIdSchema()),
      itemId: doc('The `tool_call` item that waits for it.', itemIdSchema()),
      approvalId: doc('Id of the approval, as in the `approval.*` events.', z.string()),
      kind: doc('`shell`: run a command; `edit`: change a file; `tool`: call another tool.', approvalKindSchema()),
      summary: doc('One line to show the user.', z.string()),
      detail: doc('The full request (command line, diff, tool arguments).', z.string()),
      availableDecisions: doc(
        'The decisions the client may answer; absent (older servers): `approve` and `deny`. The `*ForThread` and `*Always` ones are offered when there is a proposed rule.',
        z.optional(z.array(approvalChoiceSchema())),
      ),
      proposedRule: doc(
        'The rule the server proposes for an `approveForThread` / `approveAlways` / `denyAlways` answer: a command prefix for a shell command, the file\'s directory + `/**` for a file, the tool name for another tool; scoped to the thread\'s `cwd` (global without one). Absent when the engine did not say what it runs.',
        z.optional(ruleDraftSchema()),
      ),
    }),
  ),
);
export const ApprovalRequestParamsSchema = /* @__PURE__ */ approvalRequestParamsSchema();
export type ApprovalRequestParams = z.infer<typeof ApprovalRequestParamsSchema>;

/** Built (and registered) on the first call; {@link ApprovalRequestResultSchema} is the same schema, built on import. */
export const approvalRequestResultSchema = lazy(() =>
  named(
    'ApprovalRequestResult',
    "The client's decision: `{ decision: \"approve\" | \"deny\" }` as in every version, or one of `availableDecisions` (with a `rule` for the `*Always` ones).",
    approvalAnswerSchema().clone(),
  ),
);
export const ApprovalRequestResultSchema = /* @__PURE__ */ approvalRequestResultSchema();
export type ApprovalRequestResult = z.infer<typeof ApprovalRequestResultSchema>;

/** Server → client requests, built on the first call ({@link ServerRequests}: built on import). */
export const serverRequests = lazy(
  () =>
    ({
      'approval/request': { params: approvalRequestParamsSchema(), result: approvalRequestResultSchema() },
    }) as const,
);
export const ServerRequests: ReturnType<typeof serverRequests> = /* @__PURE__ */ serverRequests();

export type ServerRequestName = keyof typeof ServerRequests;

/** Built (and registered) on the first call; {@link CancelRequestParamsSchema} is the same schema, built on import. */
export const cancelRequestParamsSchema = lazy(() =>
  named(
    'CancelRequestParams',
    'The server withdraws an `approval/request` it sent (interrupted or timed out): do not answer it; a late answer is ignored.',
    z.object({ id: doc('The JSON-RPC id of the withdrawn request.', z.union([z.number().check(z.int()), z.string()])) }),
  ),
);
export const CancelRequestParamsSchema = /* @__PURE__ */ cancelRequestParamsSchema();

/** Built (and registered) on the first call; {@link ExitParamsSchema} is the same schema, built on import. */
export const exitParamsSchema = lazy(() =>
  named(
    'ExitParams',
    'No params (absent or null). The server ends the process with exit code 0, after `shutdown` or without it.',
    z.null(),
  ),
);
export const ExitParamsSchema = /* @__PURE__ */ exitParamsSchema();

/**
 * Notifications other than `thread/event` (which is `x-notification` of the JSON Schema), with the
 * direction they travel. `$/cancelRequest` is vscode-jsonrpc's own; listed so other languages know it.
 */
/** An MCP server's status changed (PROTOCOL.md, MCP servers). */
export const MCP_STATUS_NOTIFICATION = 'mcp/status';

export const notifications = lazy(
  () =>
    ({
      exit: { params: exitParamsSchema(), direction: 'client-to-server' },
      '$/cancelRequest': { params: cancelRequestParamsSchema(), direction: 'server-to-client' },
      'mcp/status': { params: mcpStatusParamsSchema(), direction: 'server-to-client' },
    }) as const,
);
/** {@link notifications} built (importing it builds them). */
export const Notifications: ReturnType<typeof notifications> = /* @__PURE__ */ notifications();
