import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';
import type { ThreadEvent } from '@threadline/protocol';
import { dbPath, type BenchContext } from '../lib/context.js';
import { BIN } from '../lib/paths.js';
import { row, type Row } from '../lib/results.js';
import { median } from '../lib/stats.js';
import { startServer } from '../lib/threadline.js';

const WORD = 'token';

/**
 * Row 11 (issue 13): the same work through `threadline acp` driven by the official ACP SDK's
 * client, and through `threadline serve` driven by the protocol package's client, in one run.
 * 11a: one echo prompt round trip — `session/prompt` sent to its answer (after the reply's chunks)
 * vs `thread/startTurn` sent to `turn.completed` received; alternated, medians.
 * 11b: the words/s of one long streamed reply (agent_message_chunks vs item.delta events).
 * Both processes use `--durability full` and the echo host.
 */
export async function measureAcpRoundTrip(ctx: BenchContext): Promise<Row[]> {
  const samples = ctx.quick ? 50 : 300;
  const words = ctx.quick ? 20_000 : 100_000;
  const agent = startAcp(dbPath(ctx, 'acp'));
  const server = await startServer({ db: dbPath(ctx, 'acp-serve') });
  try {
    await agent.conn.agent.request(acp.methods.agent.initialize, { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
    const { sessionId } = await agent.conn.agent.request(acp.methods.agent.session.new, { cwd: ctx.tmp, mcpServers: [] });
    const { client } = server;
    const { thread } = await client.request('thread/create', { title: 'acp bench' });
    let completed: (() => void) | undefined;
    let text = '';
    client.onEvent((event: ThreadEvent) => {
      if (event.threadId !== thread.id) return;
      if (event.kind === 'item.delta') text += event.payload.text;
      if (event.kind === 'turn.completed') completed?.();
    });
    const viaServe = async (prompt: string) => {
      const ended = new Promise<void>((resolve) => (completed = resolve));
      await Promise.all([client.request('thread/startTurn', { threadId: thread.id, prompt }), ended]);
    };
    const viaAcp = async (prompt: string) => {
      const { stopReason } = await agent.conn.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: prompt }] });
      if (stopReason !== 'end_turn') throw new Error(`acp prompt answered ${stopReason}`);
    };
    const acpMs: number[] = [];
    const serveMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      let start = performance.now();
      await viaAcp('hello bench');
      acpMs.push(performance.now() - start);
      start = performance.now();
      await viaServe('hello bench');
      serveMs.push(performance.now() - start);
    }

    const long = `!word-delay 0\n!repeat ${words}\n${WORD}`;
    agent.text = '';
    let start = performance.now();
    await viaAcp(long);
    const acpRate = words / ((performance.now() - start) / 1000);
    text = '';
    start = performance.now();
    await viaServe(long);
    const serveRate = words / ((performance.now() - start) / 1000);
    const expected = `echo[${samples + 1}]: ${Array(words).fill(WORD).join(' ')}`;
    if (agent.text !== expected || text !== expected) throw new Error('a streamed reply differs from the echo');
    return [
      row('11a ACP prompt round trip (threadline acp vs serve)', median(acpMs), 'ms', median(serveMs), { atMost: 2 }),
      row(`11b ACP streamed words/s, one ${words / 1000}k-word reply (vs serve)`, acpRate, 'words/s', serveRate, { atLeast: 0.5 }),
    ];
  } finally {
    await agent.close();
    await server.close();
  }
}

/** `bin/threadline acp` with the official SDK's client side on its stdio, as an editor runs it. */
function startAcp(db: string) {
  const child = spawn(process.execPath, [BIN, 'acp', '--db', db, '--durability', 'full', '--log-level', 'warn'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const state = {
    text: '',
    conn: undefined as unknown as acp.ClientConnection,
    close: async () => {
      child.stdin!.end(); // the agent exits 0 when its stdin closes
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      state.conn.close();
    },
  };
  state.conn = acp
    .client({ name: 'threadline-bench' })
    .onNotification(acp.methods.client.session.update, ({ params }) => {
      const u = params.update;
      if (u.sessionUpdate === 'agent_message_chunk' && u.content.type === 'text') state.text += u.content.text;
    })
    .connect(acp.ndJsonStream(Writable.toWeb(child.stdin!), Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>));
  return state;
}
