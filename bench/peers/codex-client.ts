import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ndjsonFraming } from './ndjson.js';
import { PAGE, type Side, type TurnResult } from './side.js';
import { killGroup, spawnProcess, unlessCrashed, type Peer } from '../lib/peer.js';

/**
 * Codex's `app-server` (JSON-RPC over stdio, v2 methods) driven through the bench's own client
 * stack (lib/peer.ts: vscode-jsonrpc on the child's stdio), exactly like Threadline's side.
 */
export interface CodexHome {
  home: string;
  codexHome: string;
  /** network-sentinel.ts: where Codex's outbound HTTP(S) goes to be refused and counted. */
  proxyUrl: string;
}

/** Where a Codex child's model and its every other request go. */
export interface CodexNetwork {
  baseUrl: string;
  proxyUrl: string;
}

/**
 * A scratch HOME and CODEX_HOME whose config.toml points Codex at the mock model and turns off
 * everything that reaches the network or starts processes on its own: update checks, analytics,
 * feedback, OTEL export, plugins/apps/connectors, remote model lists, web search, MCP servers,
 * login shells and shell snapshots (those start the user's login shell), memories.
 */
export function makeCodexHome(parent: string, name: string, { baseUrl, proxyUrl }: CodexNetwork): CodexHome {
  const home = mkdtempSync(join(parent, `codex-${name}-`));
  const codexHome = join(home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(
    join(codexHome, 'config.toml'),
    `model = "mock"
model_provider = "mock"
approval_policy = "never"
sandbox_mode = "read-only"
check_for_update_on_startup = false
allow_login_shell = false
web_search = "disabled"
model_context_window = 200000
mcp_servers = {}

[model_providers.mock]
name = "bench mock"
base_url = "${baseUrl}"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 60000

[analytics]
enabled = false

[feedback]
enabled = false

[otel]
exporter = "none"

[shell_environment_policy]
inherit = "core"

[features]
plugins = false
apps = false
connectors = false
remote_models = false
remote_plugin = false
shell_snapshot = false
memories = false
tool_suggest = false
responses_websockets = false
responses_websockets_v2 = false
`,
  );
  return { home, codexHome, proxyUrl };
}

/** The environment of every Codex child: the scratch homes, no inherited credentials; the sentinel as proxy. */
function codexEnv(h: CodexHome): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: h.home,
    CODEX_HOME: h.codexHome,
    XDG_CONFIG_HOME: join(h.home, '.config'),
    XDG_CACHE_HOME: join(h.home, '.cache'),
    XDG_DATA_HOME: join(h.home, '.local/share'),
    XDG_STATE_HOME: join(h.home, '.local/state'),
    SHELL: '/bin/sh',
    LANG: 'C.UTF-8',
    RUST_LOG: 'error',
    NO_COLOR: '1',
    HTTP_PROXY: h.proxyUrl,
    HTTPS_PROXY: h.proxyUrl,
    ALL_PROXY: h.proxyUrl,
    http_proxy: h.proxyUrl,
    https_proxy: h.proxyUrl,
    all_proxy: h.proxyUrl,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
}

/** Spawns `codex app-server` (stdio) in its own process group, cwd = the scratch home. */
export function spawnCodex(binary: string, h: CodexHome): Peer {
  const peer = spawnProcess(binary, ['app-server', '--strict-config'], { env: codexEnv(h), cwd: h.home, detached: true, framing: ndjsonFraming });
  // Whatever happens to the bench, the group goes with it.
  const onExit = () => killGroup(peer.pid);
  process.once('exit', onExit);
  void peer.exited.then(() => process.removeListener('exit', onExit));
  return peer;
}

export const CODEX_INIT = {
  clientInfo: { name: 'threadline-bench', title: null, version: '0' },
  capabilities: { experimentalApi: false, requestAttestation: false },
};

/** `initialize` + the `initialized` notification the app-server expects before other calls. */
export async function initializeCodex(peer: Peer): Promise<void> {
  await unlessCrashed(peer, 'codex app-server', peer.connection.sendRequest('initialize', CODEX_INIT));
  await peer.connection.sendNotification('initialized');
}

/** Spawns, initializes and wraps a Codex app-server for the workload rows. */
export async function startCodex(binary: string, h: CodexHome): Promise<Side> {
  const peer = spawnCodex(binary, h);
  const waiting = new Map<string, (status: string) => void>();
  const deltas = new Map<string, TurnResult>();
  peer.connection.onNotification('item/agentMessage/delta', (p: { turnId: string; delta: string }) => {
    const d = deltas.get(p.turnId) ?? { deltas: 0, chars: 0 };
    deltas.set(p.turnId, { deltas: d.deltas + 1, chars: d.chars + p.delta.length });
  });
  const completed = new Map<string, string>();
  peer.connection.onNotification('turn/completed', (p: { turn: { id: string; status: string } }) => {
    const done = waiting.get(p.turn.id);
    if (done) done(p.turn.status);
    else completed.set(p.turn.id, p.turn.status);
  });
  // Approvals never come with approval_policy = "never"; answer any server request with an error.
  peer.connection.onRequest((method: string) => {
    throw new Error(`bench client does not handle ${method}`);
  });
  peer.connection.listen();
  await initializeCodex(peer);
  const call = <T>(method: string, params: unknown) => unlessCrashed(peer, 'codex app-server', peer.connection.sendRequest<T>(method, params));
  return {
    name: 'Codex',
    pid: peer.pid,
    startThread: async () => (await call<{ thread: { id: string } }>('thread/start', { cwd: h.home })).thread.id,
    runTurn: async (threadId: string, prompt: string) => {
      const { turn } = await call<{ turn: { id: string } }>('turn/start', { threadId, input: [{ type: 'text', text: prompt, text_elements: [] }] });
      const status = completed.get(turn.id) ?? (await unlessCrashed(peer, 'codex app-server', new Promise<string>((resolve) => waiting.set(turn.id, resolve))));
      const seen = deltas.get(turn.id) ?? { deltas: 0, chars: 0 };
      for (const m of [waiting, deltas, completed]) m.delete(turn.id);
      if (status !== 'completed') throw new Error(`codex turn ended ${status}:\n${peer.stderr()}`);
      return seen;
    },
    listAll: async ({ indexed = false } = {}) => {
      let count = 0;
      let cursor: string | null = null;
      do {
        const page: { data: unknown[]; nextCursor: string | null } = await call('thread/list', { limit: PAGE, cursor, ...(indexed ? { useStateDbOnly: true } : {}) });
        count += page.data.length;
        cursor = page.nextCursor;
      } while (cursor);
      return count;
    },
    readThread: async (threadId: string) =>
      (await call<{ thread: { turns: unknown[] } }>('thread/read', { threadId, includeTurns: true })).thread.turns.length,
    close: () => peer.kill(),
  };
}
