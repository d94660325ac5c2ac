// A PROTOTYPE, not used by bin/threadline: the server's modules evaluated while a V8 start-up
// snapshot is built (scripts/snapshot/build.mjs), `serve` run by the deserialize main function.
// It exists to measure what a snapshot could save on start-up (bench/startup-ab.ts); README's
// row 1 says why it is not wired in. Its extra commands are probes for that measurement.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { serve } from '../../src/cli/serve.js';
import { Methods } from '../../protocol/methods.js';

/** This thread's CPU time so far (ms): the first field of /proc/self/schedstat (Linux). */
const mainThreadCpuMs = () => Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[0]) / 1e6;

export function main(argv: string[]): void {
  const [command, ...rest] = argv;
  if (process.env.SNAPSHOT_PROBE === '1') process.stderr.write(`main-start cpu ${mainThreadCpuMs()} wall ${performance.now()}\n`);
  if (command === 'noop') return; // the cost of starting from the blob alone
  if (command === 'random') {
    // Must differ between two processes started from one blob (node:crypto's UUID pool does not, once filled at build).
    process.stdout.write(`${JSON.stringify({ uuid: randomUUID(), webUuid: globalThis.crypto.randomUUID(), random: Math.random() })}\n`);
    return;
  }
  if (command !== 'serve') throw new Error(`snapshot prototype: only serve, noop and random (got ${command})`);
  serve(rest).catch((error: unknown) => {
    process.stderr.write(`threadline: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  });
}

/**
 * Work done while the snapshot is built, so that its results are in the blob: the schemas of the
 * first two requests built, and their params parsed once. Nothing here may draw random numbers
 * (node:crypto's randomUUID pool would be frozen into the blob) or read the environment.
 */
export function prewarm(): void {
  Methods.initialize.params.safeParse({ protocolVersion: 1, clientInfo: { name: 'snapshot' } });
  Methods['thread/list'].params.safeParse({});
}
