import type { ApprovalAnswer, ApprovalHandler, ApprovalRequestParams } from '@threadline/protocol';

export type Decision = ApprovalAnswer['decision'];

export interface PendingApproval {
  params: ApprovalRequestParams;
  /** The choices offered, each with its key: the persistent ones only with a proposed rule. */
  choices: Choice[];
  answer(decision: Decision): void;
}

export interface Choice {
  key: string;
  decision: Decision;
  label: string;
}

/**
 * As in Codex and Claude Code: yes / no once, and — when the server proposes a rule — yes for
 * this thread, always yes, always no (the rule shown above the keys). Shift makes "always".
 */
export function choicesFor(params: ApprovalRequestParams): Choice[] {
  const offered = new Set(params.availableDecisions ?? []);
  const rule = params.proposedRule !== undefined;
  const all: Choice[] = [
    { key: 'y', decision: 'approve', label: 'approve' },
    { key: 't', decision: 'approveForThread', label: 'approve for this thread' },
    { key: 'Y', decision: 'approveAlways', label: 'always approve' },
    { key: 'n', decision: 'deny', label: 'deny' },
    { key: 'N', decision: 'denyAlways', label: 'always deny' },
  ];
  return all.filter((c) => c.decision === 'approve' || c.decision === 'deny' || (rule && offered.has(c.decision)));
}

/**
 * The server's `approval/request`s waiting for the person, oldest first. One is asked at a time;
 * a request the server withdraws (the turn was interrupted, or it timed out) leaves the list.
 */
export class ApprovalQueue {
  private readonly pending: PendingApproval[] = [];

  constructor(private readonly changed: () => void) {}

  get first(): PendingApproval | undefined {
    return this.pending[0];
  }

  handler: ApprovalHandler = (params, token) =>
    new Promise((resolve) => {
      const approval: PendingApproval = {
        params,
        choices: choicesFor(params),
        answer: (decision) => {
          const at = this.pending.indexOf(approval);
          if (at < 0) return;
          this.pending.splice(at, 1);
          resolve({ decision });
          this.changed();
        },
      };
      this.pending.push(approval);
      // Withdrawn: the answer is ignored by the server; the approval.resolved event says how.
      token.onCancellationRequested(() => approval.answer('deny'));
      this.changed();
    });

  /** The choice a key stands for, on the approval asked now (case matters: shift is "always"). */
  choiceFor(key: string): Choice | undefined {
    return this.first?.choices.find((c) => c.key === key);
  }

  /** The server that asked is gone: nobody is waiting for these answers any more. */
  clear(): void {
    this.pending.splice(0);
    this.changed();
  }
}
