// Type tests, compiled by `npm run typecheck` and never run: each `@ts-expect-error` is a probe
// that must stay an error (tsc fails on an unused one), and the narrowing examples must compile
// without casts. They pin down what integrators get from @threadline/protocol.
import {
  ServerExitedError,
  ThreadBusyError,
  ThreadlineError,
  TurnMismatchError,
  InvalidParamsError,
  QueueFullError,
  type ClientResultOf,
  type ThreadBusyErrorData,
  type ThreadEvent,
  type ThreadlineClient,
} from '@threadline/protocol';
import type { SpawnThreadlineOptions, SpawnedThreadline } from '@threadline/protocol/node';

/** Narrowing on `kind` gives each payload its own type. */
export function describe(event: ThreadEvent): string {
  switch (event.kind) {
    case 'item.delta':
      // @ts-expect-error item.delta carries itemId and text, not an item
      void event.payload.item;
      return event.payload.text;
    case 'turn.completed':
      return event.payload.turn.status;
    case 'prompt.promoted':
      return `${event.payload.admission.id} → ${event.payload.turnId}`;
    case 'approval.requested':
      return event.payload.request.summary;
    default:
      // @ts-expect-error only the cases above have been narrowed away
      void event.payload.text;
      return event.kind;
  }
}

// @ts-expect-error not an event kind
export const badKind: ThreadEvent['kind'] = 'turn.exploded';

/** thread/events and thread/subscribe return ThreadEvent[]: their events narrow without a cast. */
export async function pages(client: ThreadlineClient, threadId: string): Promise<string[]> {
  const { events, lastSeq } = await client.request('thread/events', { threadId, afterSeq: 0 });
  const texts: string[] = [];
  for (const event of events) if (event.kind === 'item.delta') texts.push(event.payload.text);
  const subscribed = await client.request('thread/subscribe', { threadId, afterSeq: lastSeq });
  const first: ThreadEvent | undefined = subscribed.events[0];
  if (first?.kind === 'thread.created') texts.push(first.payload.thread.id);
  const exact: ClientResultOf<'thread/events'>['events'] = events;
  const seq: number = subscribed.lastSeq;
  // @ts-expect-error lastSeq is a number
  const wrong: string = subscribed.lastSeq;
  void [exact, seq, wrong];
  return texts;
}

/** Each error class's `data` is its schema's data type. */
export function explain(error: unknown): string {
  if (error instanceof ThreadBusyError) {
    const data: ThreadBusyErrorData = error.data;
    const running: string | undefined = data.runningTurnId;
    // @ts-expect-error runningTurnId may be absent
    const sure: string = error.data.runningTurnId;
    void sure;
    return `${error.data.threadId} is busy with ${running ?? 'a turn'}`;
  }
  if (error instanceof TurnMismatchError) {
    const running: string | null = error.data.runningTurnId;
    return `${error.data.expectedTurnId} vs ${running}`;
  }
  if (error instanceof QueueFullError) {
    // @ts-expect-error limit is a number
    const limit: string = error.data.limit;
    return `${error.data.threadId}: ${limit}`;
  }
  if (error instanceof InvalidParamsError) return error.data.issues.map((i) => i.path.join('.')).join(', ');
  if (error instanceof ServerExitedError) {
    const code: number | null = error.exitCode;
    const tail: string[] = error.stderrTail;
    // @ts-expect-error a ServerExitedError is not a wire error: no JSON-RPC code
    void error.code;
    return `${code} ${error.signal ?? ''} ${tail.join('\n')}`;
  }
  if (error instanceof ThreadlineError) {
    const kind: string = error.data.kind;
    return kind;
  }
  return String(error);
}

/** The spawn options an IDE needs. */
export const ideOptions: SpawnThreadlineOptions = {
  bin: '/ext/server/bin/threadline',
  node: '/usr/local/bin/node',
  stderr: 'ignore',
  onStderr: (line: string) => void line,
};

// @ts-expect-error stderr is one of 'inherit' | 'pipe' | 'ignore'
export const badStderr: SpawnThreadlineOptions = { stderr: 'stdout' };

export function watch(spawned: SpawnedThreadline): void {
  spawned.onClose((error) => {
    const code: number | null = error.exitCode;
    void code;
  });
  void spawned.client.closed.then((error: ServerExitedError) => error.stderrTail);
}
