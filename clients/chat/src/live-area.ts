import type { PendingApproval } from './approvals.js';
import { matchText, scopeText } from './rule-text.js';
import { oneLine } from './one-line.js';
import type { ThreadView } from './thread-view.js';
import type { Style } from './view/style.js';

export interface LiveState {
  view: ThreadView | undefined;
  approval: PendingApproval | undefined;
  /** Text in the prompt (an approval is answered on an empty one). */
  typed: string;
  editing: boolean;
  /** What the input line loaded by a command is (e.g. "editing queued prompt 2"). */
  editLabel?: string | undefined;
  exitArmed: boolean;
  notice: string;
}

/** The lines drawn live above the prompt: streaming lines, tools, queue, approval and status. */
export function liveArea(state: LiveState, s: Style): string[] {
  const lines = state.view ? state.view.liveLines() : [];
  const queue = state.view?.queue ?? [];
  queue.slice(0, 5).forEach((a, i) => lines.push(s.dim(`  queued ${i + 1}: ${oneLine(a.prompt, 70)}`)));
  if (queue.length > 5) lines.push(s.dim(`  … ${queue.length - 5} more queued (/queue)`));
  const approval = state.approval?.params;
  if (approval) {
    lines.push(s.yellow(`? approve ${approval.kind}: ${oneLine(approval.summary, 100)}`));
    if (approval.detail && approval.detail !== approval.summary) lines.push(s.dim(`  ${oneLine(approval.detail, 200)}`));
    const rule = approval.proposedRule;
    if (rule && state.approval!.choices.length > 2) lines.push(s.dim(`  rule for "always": ${matchText(rule.match)} ${scopeText(rule.scope)}`));
    const keys = state.approval!.choices.map((c) => `${s.bold(`[${c.key}]`)} ${c.label}`).join('   ');
    lines.push(`  ${keys}${state.typed ? s.dim('   (on an empty prompt)') : ''}`);
  }
  lines.push(s.dim(statusLine(state)));
  return lines;
}

function statusLine(state: LiveState): string {
  if (state.exitArmed) return 'press Ctrl-C again to exit';
  if (state.notice) return state.notice;
  if (state.editLabel) return `${state.editLabel} · Enter saves · Esc cancels`;
  if (state.editing) return 'editing your last prompt · Enter sends it again (replaces that turn) · Esc cancels';
  if (state.view?.runningTurnId) return '● working · Enter queues · Tab steers into the turn · Ctrl-C interrupts';
  return '/help for commands · ↑ edits your last prompt · Ctrl-D exits';
}
