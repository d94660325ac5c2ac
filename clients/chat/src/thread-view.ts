import type { Admission, Item, ThreadEvent } from '@threadline/protocol';
import { MarkdownLines } from './view/markdown.js';
import { oneLine } from './one-line.js';
import type { Style } from './view/style.js';

interface Stream {
  kind: 'agent_message' | 'reasoning';
  /** Text received and not yet printed: the line still being written. */
  partial: string;
  /** Characters of the item's text received so far (deltas), to print only the rest of `detail`. */
  received: number;
  markdown: MarkdownLines;
}

/**
 * One thread's events turned into what a person reads: finished lines go to `print` (once,
 * never redrawn), and the state shown live under them — the line still streaming, tools running,
 * the queue, the running turn — is kept here for the app to draw. Pure: no terminal, no server,
 * so it is unit-tested with events alone.
 */
export class ThreadView {
  runningTurnId: string | undefined;
  latestTurnId: string | undefined;
  title = '';
  readonly queue: Admission[] = [];
  readonly tools = new Map<string, string>();
  private readonly streams = new Map<string, Stream>();
  private readonly prompts = new Map<string, string>();

  constructor(
    readonly threadId: string,
    private readonly style: Style,
    private readonly print: (lines: string[]) => void,
  ) {}

  /** The prompt of the latest turn (what ↑ edits), if it has one. */
  get lastPrompt(): string | undefined {
    return this.latestTurnId ? this.prompts.get(this.latestTurnId) : undefined;
  }

  /** The pending prompts as the server has them (`thread/get`'s `queued`), e.g. after a reconnect. */
  setQueue(pending: readonly Admission[]): void {
    this.queue.splice(0, this.queue.length, ...pending);
  }

  /** Finished turns read outside the log (a fork's copied history), printed as if replayed. */
  replayTurns(turns: readonly { turn: { id: string }; items: readonly Item[] }[]): void {
    for (const { turn, items } of turns) {
      this.latestTurnId = turn.id;
      for (const item of items) this.itemCompleted(item);
    }
  }

  /** Lines still in progress, for the live area. */
  liveLines(): string[] {
    const s = this.style;
    const lines: string[] = [];
    for (const stream of this.streams.values()) {
      if (stream.partial !== '') lines.push(stream.kind === 'reasoning' ? s.dim(s.italic(stream.partial)) : stream.markdown.line(stream.partial));
    }
    for (const summary of this.tools.values()) lines.push(`${s.yellow('⋯')} ${summary} ${s.dim('(running)')}`);
    return lines;
  }

  apply(event: ThreadEvent): void {
    const s = this.style;
    switch (event.kind) {
      case 'thread.created':
      case 'thread.forked':
      case 'thread.updated':
      case 'thread.archived':
      case 'thread.unarchived':
        this.title = event.payload.thread.title;
        break;
      case 'prompt.admitted':
        if (event.payload.admission.state === 'pending') this.queue.push(event.payload.admission);
        break;
      case 'prompt.promoted':
      case 'prompt.cancelled': {
        const at = this.queue.findIndex((a) => a.id === event.payload.admission.id);
        if (at >= 0) this.queue.splice(at, 1);
        if (event.kind === 'prompt.cancelled') this.print([s.dim(`  cancelled queued prompt: ${oneLine(event.payload.admission.prompt)}`)]);
        break;
      }
      case 'prompt.updated': {
        const at = this.queue.findIndex((a) => a.id === event.payload.admission.id);
        if (at >= 0) this.queue[at] = event.payload.admission;
        break;
      }
      case 'queue.reordered': {
        const order = event.payload.admissionIds;
        const rank = (id: string) => (order.indexOf(id) + order.length + 1) % (order.length + 1); // unknown ids last
        this.queue.sort((a, b) => rank(a.id) - rank(b.id));
        break;
      }
      case 'thread.reverted':
      case 'thread.unreverted': {
        const reverted = event.kind === 'thread.reverted';
        const ids = reverted ? event.payload.revertedTurnIds : event.payload.restoredTurnIds;
        const head = reverted ? s.yellow(`↶ reverted ${plural(ids.length)}: the agent no longer sees`) : s.green(`↷ restored ${plural(ids.length)}:`);
        this.print([head, ...ids.map((id) => s.dim(`  › ${oneLine(this.prompts.get(id) ?? id, 100)}`))]);
        break;
      }
      case 'turn.started':
        this.runningTurnId = event.payload.turn.id;
        this.latestTurnId = event.payload.turn.id;
        break;
      case 'turn.superseded':
        this.print([s.dim('  (edited: the previous turn was replaced)')]);
        break;
      case 'item.started':
        this.itemStarted(event.payload.item);
        break;
      case 'item.delta': {
        const stream = this.streams.get(event.payload.itemId);
        if (stream) this.append(stream, event.payload.text);
        break;
      }
      case 'item.completed':
        this.itemCompleted(event.payload.item);
        break;
      case 'approval.requested':
        this.print([`${s.yellow('?')} approval asked: ${event.payload.request.kind}: ${event.payload.request.summary}`]);
        break;
      case 'approval.resolved': {
        const how = event.payload.reason && event.payload.reason !== 'client' ? ` (${event.payload.reason.replace('_', ' ')})` : '';
        const word = event.payload.decision === 'approve' ? s.green('approved') : s.red('denied');
        this.print([`  ${word}${how}`]);
        break;
      }
      case 'turn.completed': {
        const turn = event.payload.turn;
        if (this.runningTurnId === turn.id) this.runningTurnId = undefined;
        for (const [id, stream] of this.streams) if (stream.partial === '') this.streams.delete(id);
        if (turn.status === 'interrupted') this.print([s.yellow(`■ interrupted${turn.error ? `: ${turn.error}` : ''}`)]);
        else if (turn.status === 'failed') this.print([s.red(`✗ failed${turn.error ? `: ${turn.error}` : ''}`)]);
        break;
      }
    }
  }

  private itemStarted(item: Item): void {
    if (item.kind === 'agent_message' || item.kind === 'reasoning') {
      this.streams.set(item.id, { kind: item.kind, partial: '', received: 0, markdown: new MarkdownLines(this.style) });
    } else if (item.kind === 'tool_call') {
      this.tools.set(item.id, item.summary || 'tool call');
    }
  }

  private itemCompleted(item: Item): void {
    const s = this.style;
    const detail = item.detail ?? item.summary;
    switch (item.kind) {
      case 'user_message': {
        if (!this.prompts.has(item.turnId)) this.prompts.set(item.turnId, detail);
        this.print(['', s.bold(s.cyan(`› ${detail.replace(/\n/g, '\n  ')}`))]);
        return;
      }
      case 'agent_message':
      case 'reasoning': {
        const stream = this.streams.get(item.id) ?? { kind: item.kind, partial: '', received: 0, markdown: new MarkdownLines(this.style) };
        // Deltas the client never saw (e.g. sent while it reconnected) are in the detail.
        if (detail.length > stream.received) this.append(stream, detail.slice(stream.received));
        if (stream.partial !== '') this.printStreamLine(stream, stream.partial);
        stream.partial = '';
        this.streams.delete(item.id);
        if (item.metadata?.truncated) this.print([s.dim('  (cut by the server at --max-item-bytes; the event log has all of it)')]);
        return;
      }
      case 'tool_call': {
        this.tools.delete(item.id);
        const ok = item.status === 'completed';
        this.print([`${ok ? s.green('✓') : s.red('✗')} ${item.summary || 'tool call'}${ok ? '' : s.red(' (failed)')}`]);
        return;
      }
      case 'tool_result': {
        const first = oneLine(item.summary);
        this.print([s.dim(`  ↳ ${first}`) + (item.status === 'failed' ? s.red(' (failed)') : '')]);
        return;
      }
      case 'error':
        this.print([s.red(`✗ ${detail}`)]);
        return;
      case 'context_compaction':
        if (item.status === 'completed') this.print([s.dim(`⟲ compacted — the agent now sees this summary instead of what came before:`), s.dim(`  ${detail.replace(/\n/g, '\n  ')}`)]);
        return;
    }
  }

  private append(stream: Stream, text: string): void {
    stream.received += text.length;
    const lines = (stream.partial + text).split('\n');
    stream.partial = lines.pop()!;
    for (const line of lines) this.printStreamLine(stream, line);
  }

  private printStreamLine(stream: Stream, line: string): void {
    const s = this.style;
    this.print([stream.kind === 'reasoning' ? s.dim(s.italic(line)) : stream.markdown.line(line)]);
  }
}

function plural(turns: number): string {
  return turns === 1 ? '1 turn' : `${turns} turns`;
}

export { oneLine } from './one-line.js';
