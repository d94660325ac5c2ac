import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { ServerExitedError, type ThreadEvent } from '@threadline/protocol';
import type { ChatOptions } from './args.js';
import { Connection } from './connection.js';
import { ThreadFeed } from './feed.js';
import { chooseThread, describeExit, errorText, FatalError } from './startup.js';
import { oneLine } from './thread-view.js';

/**
 * `chat` with stdin not a terminal: one prompt per line, each run to its end before the next is
 * read; replies on stdout as plain text, everything else (tool calls, notices) on stderr, so
 * `threadline chat < prompts.txt > replies.txt` works. Exit 1 if a turn did not complete.
 */
export async function runPiped(options: ChatOptions): Promise<number> {
  const note = (line: string) => process.stderr.write(`${line}\n`);
  // `threadline chat < prompts | head -1`: the reader left, so stop quietly (its shell sees 0).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  let feed: ThreadFeed | undefined;
  const ended = new Map<string, string>();
  const waiters = new Map<string, (status: string) => void>();
  const promoted = new Map<string, string>();
  const received = new Map<string, number>();
  let failed = false;
  let started = false;

  const onEvent = (event: ThreadEvent) => {
    if (event.kind === 'item.delta' && received.has(event.payload.itemId)) {
      received.set(event.payload.itemId, received.get(event.payload.itemId)! + event.payload.text.length);
      process.stdout.write(event.payload.text);
    } else if (event.kind === 'item.started' && event.payload.item.kind === 'agent_message') {
      received.set(event.payload.item.id, 0);
    } else if (event.kind === 'item.completed') {
      const item = event.payload.item;
      if (item.kind === 'agent_message') {
        const seen = received.get(item.id) ?? 0;
        const detail = item.detail ?? '';
        process.stdout.write(`${detail.length > seen ? detail.slice(seen) : ''}\n`);
        received.delete(item.id);
      } else if (item.kind === 'tool_call') note(`[tool ${item.status}] ${oneLine(item.summary)}`);
      else if (item.kind === 'error') note(`[error] ${oneLine(item.detail ?? item.summary)}`);
    } else if (event.kind === 'approval.resolved') {
      note(`[approval ${event.payload.decision === 'approve' ? 'approved' : 'denied'}${event.payload.reason ? `: ${event.payload.reason}` : ''}]`);
    } else if (event.kind === 'prompt.promoted') {
      promoted.set(event.payload.admission.id, event.payload.turnId);
    } else if (event.kind === 'turn.completed') {
      const turn = event.payload.turn;
      if (turn.status !== 'completed') note(`[turn ${turn.status}${turn.error ? `: ${turn.error}` : ''}]`);
      ended.set(turn.id, turn.status);
      waiters.get(turn.id)?.(turn.status);
    }
  };

  const connection = new Connection({
    bin: process.argv[1]!,
    args: options.serveArgs,
    clientName: 'threadline-chat',
    approvals: false,
    onEvent: (event) => feed?.live(event),
    // Before start-up, a failing server's last line is the one error line (errorText); after, shown.
    onStderr: (line) => started && note(`server: ${line}`),
    onDied: (error) => note(`[the server ${describeExit(error)}; restarting it]`),
    onRestarted: () => void feed?.catchUp(),
    onGaveUp: (error) => {
      note(`threadline chat: the server keeps failing (${describeExit(error)}); giving up`);
      process.exit(1);
    },
  });
  const open = (threadId: string) => {
    feed = new ThreadFeed(threadId, connection, onEvent, (error) => note(`[error: ${errorText(error)}]`));
    return feed;
  };

  let threadId: string | undefined;
  try {
    await connection.ready();
    started = true;
    threadId = await chooseThread(connection, options);
  } catch (error) {
    if (error instanceof FatalError || error instanceof ServerExitedError) {
      note(`threadline chat: ${errorText(error)}`);
      await connection.close().catch(() => {});
      return 2;
    }
    throw error;
  }
  if (threadId) {
    // Resume where the thread is: its past is not replayed on stdout, only what follows.
    const f = open(threadId);
    const { thread } = await connection.request('thread/get', { threadId });
    f.lastSeq = thread.lastSeq;
    note(`[thread ${threadId}]`);
  }

  const waitFor = (turnId: string) =>
    ended.has(turnId) ? Promise.resolve(ended.get(turnId)!) : new Promise<string>((resolve) => waiters.set(turnId, resolve));

  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const prompt = line.trim();
    if (!prompt) continue;
    try {
      if (!threadId) {
        const { thread } = await connection.requestRetrying('thread/create', { title: oneLine(prompt, 60), cwd: process.cwd() });
        threadId = thread.id;
        open(threadId);
        note(`[thread ${threadId}]`);
      }
      const result = await connection.requestRetrying('thread/startTurn', { threadId, prompt, delivery: 'queue', clientRequestId: randomUUID() });
      let turnId = result.turn.id;
      if (result.queued) {
        const admissionId = result.queued.id;
        while (!promoted.has(admissionId)) await waitFor(turnId);
        turnId = promoted.get(admissionId)!;
      }
      const status = await waitFor(turnId);
      if (status !== 'completed') failed = true;
    } catch (error) {
      note(`[error: ${errorText(error)}]`);
      failed = true;
    }
  }
  await connection.close().catch(() => {});
  return failed ? 1 : 0;
}
