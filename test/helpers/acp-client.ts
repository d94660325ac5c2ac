import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { BIN } from './server.js';
import { testDb } from './test-db.js';

export type PermissionAnswer = (params: acp.RequestPermissionRequest, signal: AbortSignal) => Promise<acp.RequestPermissionResponse>;

export interface AcpTestAgent {
  conn: acp.ClientConnection;
  child: ChildProcess;
  dbPath: string;
  stderr: string[];
  /** Every session/update received, in order. */
  updates: acp.SessionNotification[];
  /** Permission requests received, in order. */
  permissions: acp.RequestPermissionRequest[];
  /** What answers permission requests (default: allow once). */
  answerPermission: PermissionAnswer;
  /** The updates of one session, by kind. */
  updatesOf(sessionId: string): acp.SessionUpdate[];
  /** Resolves once a permission request has arrived. */
  nextPermission(): Promise<acp.RequestPermissionRequest>;
  /** Resolves with the first update of the session (received already or later) of this kind. */
  updateOf<K extends acp.SessionUpdate['sessionUpdate']>(sessionId: string, kind: K): Promise<Extract<acp.SessionUpdate, { sessionUpdate: K }>>;
  kill(): Promise<void>;
}

/** Lines the SDK reported and dropped (invalid session/update, unparsable stdout), per process. */
export const sdkComplaints: unknown[][] = [];
const originalError = console.error;
console.error = (...args: unknown[]) => {
  sdkComplaints.push(args);
  originalError(...args);
};

/**
 * Spawns `bin/threadline acp` on a temp database (or `dbPath`) and connects the official SDK's
 * client side over NDJSON, exactly as an editor does. After the test: the process is killed, and
 * the test fails if stdout carried a non-JSON-RPC line, the SDK dropped a message, or the agent
 * logged an ERROR.
 */
export async function startAcp(t: TestContext, options: { dbPath?: string; args?: string[]; initialize?: boolean } = {}): Promise<AcpTestAgent> {
  let dbPath = options.dbPath;
  if (!dbPath) {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-acp-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    dbPath = join(dir, 'threadline.db');
  }
  const child = spawn(process.execPath, [BIN, 'acp', '--db', await testDb(dbPath), '--log-level', 'debug', ...(options.args ?? [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(...chunk.split('\n').filter(Boolean)));
  const badStdout: string[] = [];
  const tap = new PassThrough();
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      try {
        if (JSON.parse(line)?.jsonrpc !== '2.0') badStdout.push(line);
      } catch {
        badStdout.push(line);
      }
    }
  });
  child.stdout!.pipe(tap);
  const complaintsBefore = sdkComplaints.length;
  const updates: acp.SessionNotification[] = [];
  const permissions: acp.RequestPermissionRequest[] = [];
  const permissionWaiters: ((p: acp.RequestPermissionRequest) => void)[] = [];
  const updateWaiters = new Set<(n: acp.SessionNotification) => boolean>();
  const agent: AcpTestAgent = {
    conn: undefined as unknown as acp.ClientConnection,
    child,
    dbPath,
    stderr,
    updates,
    permissions,
    answerPermission: async () => ({ outcome: { outcome: 'selected', optionId: 'allow_once' } }),
    updatesOf: (sessionId) => updates.filter((n) => n.sessionId === sessionId).map((n) => n.update),
    nextPermission: () => new Promise((resolve) => permissionWaiters.push(resolve)),
    updateOf: (sessionId, kind) =>
      new Promise((resolve) => {
        type U = Extract<acp.SessionUpdate, { sessionUpdate: typeof kind }>;
        const found = agent.updatesOf(sessionId).find((u) => u.sessionUpdate === kind);
        if (found) return resolve(found as U);
        const waiter = (n: acp.SessionNotification) => {
          if (n.sessionId !== sessionId || n.update.sessionUpdate !== kind) return false;
          resolve(n.update as U);
          return true;
        };
        updateWaiters.add(waiter);
      }),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
  agent.conn = acp
    .client({ name: 'threadline-test' })
    .onNotification(acp.methods.client.session.update, ({ params }) => {
      updates.push(params);
      for (const waiter of updateWaiters) if (waiter(params)) updateWaiters.delete(waiter);
    })
    .onRequest(acp.methods.client.session.requestPermission, ({ params, signal }) => {
      permissions.push(params);
      for (const waiter of permissionWaiters.splice(0)) waiter(params);
      return agent.answerPermission(params, signal);
    })
    .connect(acp.ndJsonStream(Writable.toWeb(child.stdin!), Readable.toWeb(tap) as ReadableStream<Uint8Array>));
  t.after(async () => {
    child.kill('SIGKILL');
    await exited;
    agent.conn.close();
    const complaints = sdkComplaints.slice(complaintsBefore);
    const errors = stderr.filter((line) => line.includes(' ERROR '));
    if (badStdout.length > 0) throw new Error(`stdout carried non-ACP lines:\n${badStdout.join('\n')}`);
    if (complaints.length > 0) throw new Error(`the SDK client dropped messages: ${JSON.stringify(complaints)}`);
    if (errors.length > 0) throw new Error(`the agent logged errors:\n${errors.join('\n')}\n${stderr.join('\n')}`);
  });
  if (options.initialize !== false) {
    await agent.conn.agent.request(acp.methods.agent.initialize, { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
  }
  return agent;
}

/** The text of the agent_message_chunks (or thought chunks) of a list of updates, per messageId. */
export function chunkText(updates: acp.SessionUpdate[], kind: 'agent_message_chunk' | 'agent_thought_chunk' = 'agent_message_chunk'): string {
  return updates
    .filter((u): u is Extract<acp.SessionUpdate, { sessionUpdate: typeof kind }> => u.sessionUpdate === kind)
    .map((u) => (u.content.type === 'text' ? u.content.text : ''))
    .join('');
}

/** A new session in `cwd` (default /tmp), no MCP servers: its id. */
export async function newSession(agent: AcpTestAgent, cwd = '/tmp'): Promise<string> {
  return (await agent.conn.agent.request(acp.methods.agent.session.new, { cwd, mcpServers: [] })).sessionId;
}

/** `session/prompt` with one text block, as an editor sends what was typed. */
export function prompt(agent: AcpTestAgent, sessionId: string, text: string, options?: acp.SendRequestOptions) {
  return agent.conn.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text }] }, options);
}

/** A `_threadline/*` extension request, sent as any client's custom request is. */
export function ext<R>(agent: AcpTestAgent, method: string, params: unknown): Promise<R> {
  return agent.conn.agent.request<R>(method, params);
}
