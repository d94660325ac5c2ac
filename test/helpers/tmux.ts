import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Terminal {
  /** tmux send-keys: key names (`Enter`, `C-c`, `Up`, `Tab`) or, with literal, text typed as is. */
  keys(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  /** The visible screen, plus `history` lines of scrollback, as plain text. */
  screen(history?: number): Promise<string>;
  /** Polls the screen (and scrollback) until `match` is on it; fails with the screen after `timeoutMs`. */
  waitFor(match: string | RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
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
    async waitFor(match, timeoutMs = 8000) {
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
    pid: async () => Number((await tmux('display-message', '-p', '#{pane_pid}')).stdout.trim()),
    exited: async () => (await tmux('display-message', '-p', '#{pane_dead}')).stdout.trim() === '1',
  };
}
