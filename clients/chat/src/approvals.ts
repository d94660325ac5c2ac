import type { ApprovalHandler, ApprovalRequestParams } from '@threadline/protocol';

export interface PendingApproval {
  params: ApprovalRequestParams;
  answer(decision: 'approve' | 'deny'): void;
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

  /** The server that asked is gone: nobody is waiting for these answers any more. */
  clear(): void {
    this.pending.splice(0);
    this.changed();
  }
}
