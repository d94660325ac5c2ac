import { writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { median } from '../lib/stats.js';
import { startServer } from '../lib/threadline.js';

const EVERYTHING = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
const ARGS = { message: 'bench' };

/**
 * Row 10: one MCP tool round trip through Threadline — from the moment a (local, instant) model
 * finished asking for server-everything's `echo` to the moment the model gets the result: the
 * tool_call and tool_result items committed, the approval (autoApprove), the call over stdio —
 * against the same call made directly with the SDK's client on its own server-everything, the
 * two measured alternately in the same run. Medians over the samples.
 */
export async function measureMcpRoundTrip(ctx: BenchContext): Promise<Row[]> {
  const samples = ctx.quick ? 30 : 150;
  let askedAt = 0;
  const through: number[] = [];
  const endpoint = createServer(async (req, res) => {
    let raw = '';
    for await (const part of req) raw += part;
    const last = (JSON.parse(raw) as { messages: { role: string }[] }).messages.at(-1)!;
    if (last.role === 'tool') {
      through.push(performance.now() - askedAt);
      return stream(res, [{ content: 'ok' }], 'stop');
    }
    stream(res, [{ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'mcp__everything__echo', arguments: JSON.stringify(ARGS) } }] }], 'tool_calls');
    askedAt = performance.now();
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/v1`;
  const config = join(ctx.tmp, 'mcp.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] } } }));
  const server = await startServer({
    db: dbPath(ctx, 'mcp-round-trip'),
    profile: profileName(ctx, 'row10-mcp-round-trip'),
    args: ['--host', 'openai', '--openai-base-url', url, '--model', 'bench', '--mcp-config', config],
  });
  const direct = new Client({ name: 'bench', version: '1' });
  await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }));
  const directMs: number[] = [];
  try {
    const { client } = server;
    await unlessCrashed(server, 'threadline', waitReady(client));
    const { thread } = await client.request('thread/create', { title: 'mcp bench', autoApprove: true });
    for (let i = 0; i < samples; i++) {
      const { turn } = await unlessCrashed(server, 'threadline', client.request('thread/startTurn', { threadId: thread.id, prompt: 'echo' }));
      const { turn: ended } = await client.request('turn/wait', { turnId: turn.id });
      if (ended.status !== 'completed') throw new Error(`turn ended ${ended.status}: ${ended.error}`);
      const start = performance.now();
      await direct.callTool({ name: 'echo', arguments: ARGS });
      directMs.push(performance.now() - start);
    }
  } finally {
    await direct.close();
    await server.close();
    endpoint.closeAllConnections();
    endpoint.close();
  }
  if (through.length !== samples) throw new Error(`${through.length} round trips of ${samples} reached the model`);
  return [row('10 MCP tool round trip (model asks → model gets result)', median(through), 'ms', median(directMs), { atMost: 15 })];
}

async function waitReady(client: Awaited<ReturnType<typeof startServer>>['client']): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const { servers } = await client.request('mcp/servers', {});
    if (servers[0]?.state === 'ready') return;
    if (servers[0]?.state === 'failed') throw new Error(`server-everything failed: ${servers[0].error}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('server-everything was not ready within 30 s');
}

let n = 0;
function stream(res: ServerResponse, deltas: Record<string, unknown>[], finish: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
    `data: ${JSON.stringify({ id: `b${++n}`, object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  res.end([...deltas.map((d) => chunk(d, null)), chunk({}, finish), 'data: [DONE]\n\n'].join(''));
}
