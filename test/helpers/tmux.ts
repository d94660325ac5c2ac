import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { BIN } from './server.js';
import { testDb } from './test-db.js';

const run = promisify(execFile);

export interface Terminal {
  /** tmux send-keys: key names (`Enter`, `C-c`, `Up`, `Tab`) or, with literal, text typed as is. */
  keys(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  /** The visible screen, plus `history` lines of scrollback, as plain text. */
  screen(history?: number): Promise<string>;
  /** Polls the screen (and scrollback) until `match` is on it; fails with the screen after `timeoutMs`. */
  waitFor(match: string | RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
  /** The screen with its colours and attributes as escape sequences (capture-pane -e). */
  styledScreen(): Promise<string>;
  /** The pid of the program run in the pane. */
  pid(): Promise<number>;
  /** Whether the pane's program has exited (the pane stays, remain-on-exit). */
  exited(): Promise<boolean>;
}

/**
 * A real terminal for e2e tests: a tmux server on a private socket in a temp dir (never the
 * user's), one detached session of a fixed size running `command`, driven with send-keys and read
 * with capture-pane. The screen is the only thing a terminal program shows, so tests poll it.
 */
export async function startTerminal(t: TestContext, command: string[], options: { cols?: number; rows?: number; env?: Record<string, string> } = {}): Promise<Terminal> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-tmux-'));
  const socket = join(dir, 'tmux.sock');
  // Options in a config file, so they hold from the program's first byte. tmux (>= 3.3) moves a
  // screen cleared from its top-left corner into the scrollback (scroll-on-clear), which a
  // terminal does not: the live area is erased that way when it is all there is on the screen.
  const conf = join(dir, 'tmux.conf');
  writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 5000\nset -g scroll-on-clear off\n');
  const tmux = (...args: string[]) => run('tmux', ['-S', socket, '-f', conf, ...args], { encoding: 'utf8' });
  const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  await tmux('new-session', '-d', '-x', String(options.cols ?? 100), '-y', String(options.rows ?? 30), ...env, '--', ...command);
  t.after(async () => {
    await tmux('kill-server').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  const screen = async (history = 2000) => (await tmux('capture-pane', '-p', '-J', '-S', `-${history}`)).stdout;
  return {
    keys: async (...keys) => void (await tmux('send-keys', ...keys)),
    type: async (text) => void (await tmux('send-keys', '-l', text)),
    screen,
    async waitFor(match, timeoutMs = 10_000) {
      const test = typeof match === 'function' ? match : (s: string) => (typeof match === 'string' ? s.includes(match) : match.test(s));
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        last = await screen();
        if (test(last)) return last;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(match)}; the screen:\n${last}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    styledScreen: async () => (await tmux('capture-pane', '-p', '-e', '-J', '-S', '-2000')).stdout,
    pid: async () => Number((await tmux('display-message', '-p', '#{pane_pid}')).stdout.trim()),
    exited: async () => (await tmux('display-message', '-p', '#{pane_dead}')).stdout.trim() === '1',
  };
}

/**
 * `threadline chat` on a new temp database (or `dbPath`) in a terminal, once its prompt is ready.
 * Its server is its child process: `serverPid()` finds it (e.g. to kill -9 it).
 */
export async function startChat(t: TestContext, args: string[] = [], options: { dbPath?: string; env?: Record<string, string>; cols?: number; rows?: number } = {}) {
  let dbPath = options.dbPath;
  if (!dbPath) {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-chat-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    dbPath = join(dir, 'chat.db');
  }
  // A NO_COLOR in the test's own environment must not change what the tests see (empty = unset).
  const env = { NO_COLOR: '', ...options.env };
  const term = await startTerminal(t, [process.execPath, BIN, 'chat', '--db', await testDb(dbPath), ...args], { ...options, env });
  await term.waitFor(/commands · ↑ edits|new thread: it is created|── .* events ──/);
  return {
    ...term,
    dbPath,
    /** The pid of the `threadline serve` the chat spawned (its only child). */
    async serverPid(): Promise<number> {
      const chat = await term.pid();
      return childrenOf(chat)[0] ?? Promise.reject(new Error(`chat (pid ${chat}) has no child process`));
    },
  };
}

/** Pids whose parent is `pid`, read from /proc (Linux, where the e2e tests run). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) comes after the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}
