import type { ThreadEvent } from '@threadline/protocol';
import { profileName, serverDb, type BenchContext } from '../lib/context.js';
import { spawnBaseline, unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { startServer } from '../lib/threadline.js';

const WORD = 'token';

/**
 * Row 5: one echo turn of N words (`!word-delay 0`), persisted and delivered: the engine's words
 * per second, from `thread/startTurn` sent to `turn.completed` received, with every delta
 * received (their text is checked). Threadline may coalesce deltas; what counts is the words.
 * Baseline: N raw vscode-jsonrpc notifications (one word each, same envelope), nothing persisted.
 */
export async function measureStreamedEvents(ctx: BenchContext): Promise<Row[]> {
  const words = ctx.quick ? 50_000 : 200_000;

  const bare = spawnBaseline('notification-server');
  let received = 0;
  let allReceived: () => void = () => {};
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  bare.connection.onNotification('thread/event', () => {
    if (++received === words) allReceived();
  });
  bare.connection.listen();
  const ids = { threadId: 'thr_x', turnId: 'turn_x', itemId: 'item_x' };
  const bareStart = performance.now();
  await unlessCrashed(bare, 'notification-server', Promise.all([bare.connection.sendRequest('stream', { count: words, word: WORD, ...ids }), done]));
  const baseline = words / ((performance.now() - bareStart) / 1000);
  await bare.kill();

  const server = await startServer({ db: await serverDb(ctx, 'stream'), profile: profileName(ctx, 'row5-stream') });
  const { client } = server;
  const { thread } = await client.request('thread/create', { title: 'stream' });
  let text = '';
  let notifications = 0;
  let completed: () => void = () => {};
  const turnCompleted = new Promise<void>((resolve) => (completed = resolve));
  client.onEvent((event: ThreadEvent) => {
    if (event.threadId !== thread.id) return;
    notifications++;
    if (event.kind === 'item.delta') text += event.payload.text;
    if (event.kind === 'turn.completed') completed();
  });
  const start = performance.now();
  // The reply is `echo[1]: ` + the words: `words` words after the first.
  await unlessCrashed(server, 'threadline', Promise.all([
    client.request('thread/startTurn', { threadId: thread.id, prompt: `!word-delay 0\n!repeat ${words}\n${WORD}` }),
    turnCompleted,
  ]));
  const rate = words / ((performance.now() - start) / 1000);
  const expected = `echo[1]: ${Array(words).fill(WORD).join(' ')}`;
  if (text !== expected) throw new Error(`streamed text differs from the reply (${text.length} vs ${expected.length} chars)`);
  await server.close();
  ctx.log(`row 5: ${words} words arrived in ${notifications} notifications`);
  return [row(`5 streamed words/s, one ${words / 1000}k-word turn, persisted + delivered${ctx.postgres ? ', Postgres' : ''}`, rate, 'words/s', baseline, { atLeast: 0.5 })];
}
