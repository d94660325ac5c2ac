import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import type { ThreadEvent } from '@threadline/protocol';
import { BIN } from './server.js';

/**
 * `threadline inspect --db DB THREAD --follow --json` as a user runs it: every event it prints,
 * `waitFor(check)` until one arrives that satisfies it (failing after `timeoutMs` with what it
 * saw and its stderr), and `stop()`: SIGINT, as Ctrl-C, resolving with its exit code.
 */
export function followInspect(t: TestContext, db: string, threadId: string, timeoutMs: number) {
  const child = spawn(process.execPath, [BIN, 'inspect', '--db', db, threadId, '--follow', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  const out = { seen: [] as ThreadEvent[], stderr: '' };
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    out.seen.push(JSON.parse(line) as ThreadEvent);
    waiters.forEach((w) => w());
  });
  const waitFor = (check: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${what} within ${timeoutMs / 1000} s; seen: ${out.seen.map((e) => e.kind).join(', ')}; stderr: ${out.stderr}`)),
        timeoutMs,
      );
      const test = () => check() && (clearTimeout(timer), resolve());
      waiters.push(test);
      test();
    });
  const stop = async (): Promise<number | null> => {
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    return code;
  };
  return {
    seen: out.seen,
    get stderr(): string {
      return out.stderr;
    },
    waitFor,
    stop,
  };
}
