import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnThreadline } from '@threadline/protocol/node';
import { ServerExitedError, type ThreadEvent } from '@threadline/protocol';

const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `threadline demo`: spawns `threadline serve` (same flags) exactly as an IDE would and drives a
 * short session through the protocol package's client, printing what goes over the wire.
 */
export async function demo(args: string[]): Promise<void> {
  // The demo's threads do not belong in the user's own database: a fresh SQLite file in a private
  // temp folder (the same store, WAL and all, as the default), unless --db says where.
  const given = args.some((a) => a === '--db' || a.startsWith('--db='));
  const dir = given ? undefined : mkdtempSync(join(tmpdir(), 'threadline-demo-'));
  try {
    await run(dir ? ['--db', join(dir, 'demo.db'), ...args] : args);
    out(
      '\nnext: `threadline serve` speaks JSON-RPC on stdio to your client (README: "Using it from an IDE extension");' +
        ' `threadline serve --framing ndjson` lets you type it by hand; `threadline --help` lists every flag.',
    );
  } catch (error) {
    if (!(error instanceof ServerExitedError)) throw error;
    // The server's own lines went to this stderr already; say what happened, once, and fail.
    const how = error.signal ? `was killed by ${error.signal}` : error.exitCode !== null ? `exited with code ${error.exitCode}` : error.message;
    process.stderr.write(`threadline demo: the server ${how}\n`);
    process.exitCode = 2;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function run(args: string[]): Promise<void> {
  const bin = process.argv[1]!;
  const { client, initializeResult, close } = await spawnThreadline({
    bin,
    args: [...args, '--log-level', 'warn'],
    initialize: { clientInfo: { name: 'threadline-demo' } },
  });
  out(`connected to threadline ${initializeResult!.serverInfo.version} — database ${initializeResult!.dbPath}`);
  const seen: ThreadEvent[] = [];
  client.onEvent((event) => {
    seen.push(event);
    if (event.kind === 'item.delta') process.stdout.write(event.payload.text);
    else if (event.kind === 'item.completed' && event.payload.item.kind === 'agent_message') process.stdout.write('\n');
    else if (event.kind === 'turn.completed') out(`  [turn ${event.payload.turn.status}: ${JSON.stringify(event.payload.turn.usage ?? {})}]`);
    else if (event.kind === 'prompt.admitted') out(`  [queued: "${event.payload.admission.prompt.split('\n').at(-1)}"]`);
  });

  let completed = 0;
  const allDone = new Promise<void>((resolve) =>
    client.onEvent((event) => {
      if (event.kind === 'turn.completed' && ++completed === 3) resolve();
    }),
  );

  const { thread } = await client.request('thread/create', { title: 'threadline demo' });
  out(`created thread ${thread.id}`);
  out('\n> Hello from the demo, streamed word by word');
  await client.request('thread/startTurn', {
    threadId: thread.id,
    // A short pause before the reply, so the two prompts queued below show before it streams.
    prompt: '!sleep 300\n!word-delay 60\nHello from the demo, streamed word by word',
  });
  await client.request('thread/startTurn', { threadId: thread.id, prompt: 'queued one', delivery: 'queue' });
  await client.request('thread/startTurn', { threadId: thread.id, prompt: '!word-delay 40\nqueued two', delivery: 'queue' });
  await allDone;

  const { events, lastSeq } = await client.request('thread/events', { threadId: thread.id, limit: 10000 });
  const same = JSON.stringify(events) === JSON.stringify(seen.filter((e) => e.threadId === thread.id));
  out(`\nthe thread's event log has ${lastSeq} events; the ${seen.length} notifications received ${same ? 'match it exactly' : 'DIFFER from it'}`);
  const usage = await client.request('usage/get', { threadId: thread.id });
  out(`usage over ${usage.turns} turns: ${JSON.stringify(usage.usage)}`);
  await close();
  out('server shut down cleanly');
}
