import { spawn } from 'node:child_process';
import type { ToolOutcome } from './index.js';

export interface ShellLimits {
  shellTimeoutMs: number;
  maxOutputBytes: number;
}

/** How long output may still arrive after the shell exited and its group was killed (a child that left the group may hold the pipe). */
const DRAIN_MS = 1000;

/** Process groups of shells still running: killed when the server process exits, however it exits. */
const groups = new Set<number>();
process.on('exit', () => {
  for (const pgid of groups) killGroup(pgid);
});

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Runs `command` with `/bin/sh -c` in its own process group, with `env` only. When the shell
 * exits, times out or the turn is interrupted, the whole group is killed: a background child
 * (`sleep 999 &`) does not outlive the call. Output (stdout and stderr together) is capped.
 */
export function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv, limits: ShellLimits, signal: AbortSignal): Promise<ToolOutcome> {
  return new Promise((resolvePromise) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pgid = child.pid;
    if (pgid !== undefined) groups.add(pgid);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let truncated = false;
    let timedOut = false;
    let exitCode: number | string | null = null;
    let done = false;
    const collect = (chunk: Buffer) => {
      if (truncated) return;
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes > limits.maxOutputBytes) truncated = true;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const kill = () => {
      if (pgid !== undefined) killGroup(pgid);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, limits.shellTimeoutMs);
    signal.addEventListener('abort', kill, { once: true });
    let drain: NodeJS.Timeout | undefined;
    const finish = (outcome: ToolOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(drain);
      signal.removeEventListener('abort', kill);
      kill();
      if (pgid !== undefined) groups.delete(pgid);
      child.stdout.destroy();
      child.stderr.destroy();
      resolvePromise(outcome);
    };
    const report = () => {
      const output = Buffer.concat(chunks);
      const text = truncated ? `${output.subarray(0, limits.maxOutputBytes).toString('utf8')}\n[output truncated at ${limits.maxOutputBytes} bytes]\n` : `${output.toString('utf8')}\n`;
      const status = timedOut ? `[timed out after ${limits.shellTimeoutMs} ms]` : `[exit code ${exitCode}]`;
      finish({ ok: !timedOut && exitCode === 0, text: `${text}${status}` });
    };
    child.on('error', (error) => finish({ ok: false, text: `error: ${error.message}` }));
    child.on('exit', (code, sig) => {
      exitCode = code ?? sig;
      kill(); // the call has ended: nothing it started may keep running
      drain = setTimeout(report, DRAIN_MS);
    });
    child.on('close', report);
  });
}
