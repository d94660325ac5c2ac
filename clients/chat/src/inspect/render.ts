import type { Admission, Item, Thread, ThreadEvent, Turn } from '@threadline/protocol';
import { oneLine } from '../thread-view.js';
import type { Style } from '../view/style.js';

/** The thread table: one row per thread, columns padded; the preview takes what width is left. */
export function threadTable(rows: { thread: Thread; turns: number }[], s: Style, width: number): string[] {
  if (rows.length === 0) return [s.dim('no threads in this database')];
  const cells = rows.map(({ thread: t, turns }) => [t.id, oneLine(t.title || '(untitled)', 40), t.status + (t.archived ? ' (archived)' : ''), String(turns), String(t.queuedCount), t.updatedAt.slice(0, 16).replace('T', ' ')]);
  const head = ['ID', 'TITLE', 'STATUS', 'TURNS', 'QUEUED', 'UPDATED'];
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 3 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  const used = widths.reduce((a, b) => a + b + 2, 0);
  const room = Math.max(20, width - used);
  return [
    s.bold(`${line(head)}  PREVIEW`),
    ...rows.map(({ thread }, r) => {
      const row = cells[r]!;
      const status = thread.status === 'running' ? s.yellow(row[2]!.padEnd(widths[2]!)) : row[2]!.padEnd(widths[2]!);
      const text = line(row).replace(row[2]!.padEnd(widths[2]!), status);
      return `${text}  ${s.dim(oneLine(thread.preview ?? '', room))}`;
    }),
  ];
}

/** A thread's header, its turns with their items, and its queue. */
export function threadDetail(thread: Thread, turns: { turn: Turn; items: Item[] }[], queued: Admission[], s: Style): string[] {
  const lines = [
    `${s.bold(thread.title || '(untitled)')}  ${thread.id}`,
    s.dim(`status ${thread.status} · ${turns.length} turns · ${queued.length} queued · ${thread.lastSeq} events · updated ${thread.updatedAt}${thread.forkedFrom ? ` · forked from ${thread.forkedFrom.threadId}` : ''}`),
  ];
  for (const { turn, items } of turns) {
    const marks = [turn.status, turn.kind !== 'prompt' ? turn.kind : '', turn.revertedAt ? 'reverted' : '', turn.supersededBy ? 'replaced' : ''].filter(Boolean).join(', ');
    lines.push('', `${s.cyan(`turn ${turn.id}`)} ${s.dim(`(${marks}) ${turn.createdAt}`)}`);
    for (const item of items) lines.push(`  ${itemLine(item, s)}`);
    if (turn.error) lines.push(`  ${s.red(`error: ${turn.error}`)}`);
  }
  lines.push('', s.bold(`queue (${queued.length})`));
  queued.forEach((a, i) => lines.push(`  ${i + 1}. ${oneLine(a.prompt, 120)} ${s.dim(a.id)}`));
  return lines;
}

function itemLine(item: Item, s: Style): string {
  const text = oneLine(item.detail ?? item.summary, 160);
  switch (item.kind) {
    case 'user_message':
      return s.bold(`› ${text}`);
    case 'reasoning':
      return s.dim(s.italic(text));
    case 'tool_call':
    case 'tool_result':
      return `${item.status === 'failed' ? s.red('✗') : s.green('✓')} ${s.dim(item.kind)} ${oneLine(item.summary, 160)}`;
    case 'error':
      return s.red(`✗ ${text}`);
    default:
      return text;
  }
}

/** One event as a line: seq, time, kind and what it says. */
export function eventLine(event: ThreadEvent, s: Style): string {
  return `${s.dim(String(event.seq).padStart(5))} ${s.dim(event.time.slice(11, 23))} ${s.cyan(event.kind.padEnd(18))} ${eventSummary(event)}`;
}

function eventSummary(event: ThreadEvent): string {
  const p = event.payload as Record<string, unknown>;
  const turn = p.turn as Turn | undefined;
  const item = p.item as Item | undefined;
  const admission = p.admission as Admission | undefined;
  if (event.kind === 'item.delta') return JSON.stringify(p.text);
  if (item) return `${item.kind} ${oneLine(item.detail ?? item.summary, 100)}`;
  if (turn) return `${turn.id} ${turn.status}${turn.error ? `: ${turn.error}` : ''}`;
  if (admission) return `${admission.id} ${oneLine(admission.prompt, 100)}`;
  const thread = p.thread as Thread | undefined;
  if (thread) return oneLine(thread.title, 100);
  return oneLine(JSON.stringify(p), 120);
}
