import { readFileSync } from 'node:fs';
import type { RawServer } from './raw-server.js';

/** A process's resident set size now, in kB (Linux `/proc/<pid>/status`). */
export function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/\d+/.exec(line ?? '')?.[0]);
}

/** Resolves once `condition` holds, checked whenever the server logs a line. */
export function untilLogged(server: RawServer, condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!condition()) return;
      clearTimeout(timer);
      server.child.stderr!.off('data', check);
      resolve();
    };
    const timer = setTimeout(() => {
      server.child.stderr!.off('data', check);
      reject(new Error(`${what}: not within ${timeoutMs} ms`));
    }, timeoutMs);
    server.child.stderr!.on('data', check); // after the helper's own listener: the line is in server.stderr
    check();
  });
}
