import type { Orchestrator } from '../../orchestrator/api.js';
import type { HandlerGroup } from './types.js';

type ApprovalMethods = 'approval/listRules' | 'approval/revokeRule' | 'approval/respond';

export function approvalHandlers(orchestrator: Orchestrator): HandlerGroup<ApprovalMethods> {
  return {
    'approval/listRules': (p) => orchestrator.listApprovalRules(p),
    'approval/revokeRule': (p) => orchestrator.revokeApprovalRule(p),
    'approval/respond': (p) => orchestrator.respondToApproval(p),
  };
}
