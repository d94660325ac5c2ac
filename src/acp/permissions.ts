import { methods, type AgentContext, type PermissionOption } from '@agentclientprotocol/sdk';
import type { ApprovalDecision } from '@threadline/protocol';
import type { ApprovalClient } from '../orchestrator/api.js';
import type { Logger } from '../log.js';
import { toolKind } from './updates.js';

const OPTIONS: PermissionOption[] = [
  { optionId: 'allow_once', name: 'Allow', kind: 'allow_once' },
  { optionId: 'reject_once', name: 'Reject', kind: 'reject_once' },
];

/**
 * Threadline approvals as `session/request_permission`. The orchestrator aborts `signal` when the
 * turn is interrupted or the approval times out: the SDK then sends `$/cancel_request` and stops
 * waiting. Anything but an explicit allow — reject, cancelled, an error — is a deny.
 */
export function permissionClient(client: AgentContext, log: Logger): ApprovalClient {
  return async (params, signal): Promise<ApprovalDecision> => {
    try {
      const response = await client.request(
        methods.client.session.requestPermission,
        {
          sessionId: params.threadId,
          toolCall: { toolCallId: params.itemId, title: params.summary, kind: toolKind(params.kind), status: 'pending', rawInput: { detail: params.detail } },
          options: OPTIONS,
        },
        { cancellationSignal: signal, stopWaitingOnCancel: true },
      );
      const outcome = response.outcome;
      return outcome.outcome === 'selected' && outcome.optionId === 'allow_once' ? 'approve' : 'deny';
    } catch (error) {
      if (!signal.aborted) log.warn('permission request failed: denied', { error });
      return 'deny';
    }
  };
}
