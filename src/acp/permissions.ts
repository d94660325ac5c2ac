import { methods, type AgentContext, type PermissionOption } from '@agentclientprotocol/sdk';
import type { ApprovalAnswer, ApprovalRequestParams } from '@threadline/protocol';
import type { ApprovalClient } from '../orchestrator/api.js';
import type { Logger } from '../log.js';
import { toolKind } from './updates.js';

const ONCE: PermissionOption[] = [
  { optionId: 'allow_once', name: 'Allow', kind: 'allow_once' },
  { optionId: 'reject_once', name: 'Reject', kind: 'reject_once' },
];

/** "Always" options are offered only with a proposed rule: it is what "always" stores. */
function optionsFor(params: ApprovalRequestParams): PermissionOption[] {
  const rule = params.proposedRule;
  const always = rule && params.availableDecisions?.includes('approveAlways') && params.availableDecisions.includes('denyAlways');
  if (!always) return ONCE;
  const what = rule.match.commandPrefix !== undefined ? `\`${rule.match.commandPrefix}\` commands` : rule.match.pathGlob ?? rule.match.tool ?? 'this';
  const where = rule.scope.kind === 'workspace' ? ' in this workspace' : '';
  return [
    ONCE[0]!,
    { optionId: 'allow_always', name: `Always allow ${what}${where}`, kind: 'allow_always' },
    ONCE[1]!,
    { optionId: 'reject_always', name: `Always reject ${what}${where}`, kind: 'reject_always' },
  ];
}

/** The selected option as a Threadline answer: "always" stores the proposed rule (workspace scope: the session's cwd). */
const ANSWERS: Record<string, ApprovalAnswer> = {
  allow_once: { decision: 'approve' },
  allow_always: { decision: 'approveAlways' },
  reject_once: { decision: 'deny' },
  reject_always: { decision: 'denyAlways' },
};

/**
 * Threadline approvals as `session/request_permission`. The orchestrator aborts `signal` when the
 * turn is interrupted or the approval times out (or a rule or `approval/respond` decided it): the
 * SDK then sends `$/cancel_request` and stops waiting. Anything but a selected option — cancelled,
 * an error — is a deny.
 */
export function permissionClient(client: AgentContext, log: Logger): ApprovalClient {
  return async (params, signal): Promise<ApprovalAnswer> => {
    const options = optionsFor(params);
    try {
      const response = await client.request(
        methods.client.session.requestPermission,
        {
          sessionId: params.threadId,
          toolCall: { toolCallId: params.itemId, title: params.summary, kind: toolKind(params.kind), status: 'pending', rawInput: { detail: params.detail } },
          options,
        },
        { cancellationSignal: signal, stopWaitingOnCancel: true },
      );
      const outcome = response.outcome;
      const offered = outcome.outcome === 'selected' && options.some((o) => o.optionId === outcome.optionId);
      return (offered && ANSWERS[outcome.optionId]) || { decision: 'deny' };
    } catch (error) {
      if (!signal.aborted) log.warn('permission request failed: denied', { error });
      return { decision: 'deny' };
    }
  };
}
