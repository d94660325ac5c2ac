// `npm run bench:peers [-- --quick]`: Threadline against OpenAI Codex's app-server (issue 17), in
// one run, with the same JSON-RPC client and the bench's own loopback mock model. Installs the
// pinned @openai/codex into ~/.cache/threadline-bench/ the first time. Not part of CI or `npm test`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBaselines } from '../lib/build.js';
import { CODEX_VERSION, codexCacheDir, ensureCodex } from './codex-install.js';
import type { PeerRow, PeersContext } from './context.js';
import { startMockModel } from './mock-model.js';
import { startNetworkSentinel } from './network-sentinel.js';
import { measureHistory } from './rows/history.js';
import { measureIdleMemory } from './rows/memory.js';
import { measureStartup, type StartupResult } from './rows/startup.js';
import { measureWorkload } from './rows/workload.js';
import { formatPeerTable } from './table.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const log = (message: string) => process.stderr.write(`  ${message}\n`);

// Every Codex child dies with its process group (codex-client.ts hooks 'exit'); make Ctrl-C and
// SIGTERM go through 'exit' too, and give up on a hung run rather than stall.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
setTimeout(() => {
  process.stderr.write('bench:peers: still running after 30 min; giving up\n');
  process.exit(1);
}, 30 * 60_000).unref();

const codexBinary = ensureCodex(log);
// Scratch homes live beside the cache, not in /tmp: Codex declines some of its normal start-up
// work (PATH helper aliases) under a temporary directory, and we measure it as users run it.
const runs = join(codexCacheDir(), '..', 'runs');
mkdirSync(runs, { recursive: true });
const tmp = mkdtempSync(join(runs, 'run-'));
const mock = await startMockModel();
const sentinel = await startNetworkSentinel();
const network = { baseUrl: mock.baseUrl, proxyUrl: sentinel.url };
const ctx: PeersContext = { quick: values.quick ?? false, tmp, codexBinary, mock, network, log };
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
const began = new Date();

const rows: PeerRow[] = [];
const crashes: string[] = [];
let startup: StartupResult | undefined;
const step = async (name: string, figures: string[], work: () => Promise<PeerRow[]>) => {
  process.stderr.write(`${name}…\n`);
  const start = performance.now();
  try {
    rows.push(...(await work()));
  } catch (error) {
    crashes.push(`${name}: ${(error as Error).stack ?? String(error)}`);
    rows.push(...figures.map((figure) => ({ figure, unit: '', threadline: null, codex: null, note: `crashed (${(error as Error).message.split('\n')[0]})` })));
  }
  process.stderr.write(`  (${((performance.now() - start) / 1000).toFixed(1)} s)\n`);
};
try {
  await buildBaselines();
  await step('start-up', ['spawn → initialize answered', 'spawn → first thread/list answered'], async () => {
    startup = await measureStartup(ctx);
    return startup.rows;
  });
  await step('idle memory', ['idle RSS after initialize'], () => measureIdleMemory(ctx));
  await step('workload', ['thread creation', 'trivial turn', 'long streamed reply'], () => measureWorkload(ctx));
  await step('history', ['list all threads', 'read back a 200-turn thread'], () => measureHistory(ctx));
} finally {
  await mock.close();
  await sentinel.close();
  rmSync(tmp, { recursive: true, force: true });
}

const node = `Node.js ${process.version} ${process.platform}-${process.arch}`;
const secs = ((Date.now() - began.getTime()) / 1000).toFixed(0);
process.stdout.write(
  `\nThreadline vs Codex app-server ${CODEX_VERSION} (${ctx.quick ? 'quick' : 'full'}), ${began.toISOString()}, ${node}, ` +
    `${cpus().length} CPUs, load average at start ${load}, ${secs} s; mock model answered ${mock.counts.chat} chat-completions and ${mock.counts.responses} Responses requests\n\n`,
);
process.stdout.write(`${formatPeerTable(rows)}\n`);
const refused = [...sentinel.attempts].map(([target, n]) => `${target} ×${n}`).join(', ');
process.stdout.write(`\nCodex requests beyond the mock model (refused by the bench's proxy): ${refused || 'none'}\n`);
if (startup) {
  const b = startup.baseline;
  const r = (x: number) => `${x.toFixed(1)} ms (${(x / b.bareInitialize).toFixed(2)}× bare)`;
  process.stdout.write(
    `\nStart-up against a bare Node vscode-jsonrpc process (bench/baselines/bare-server.ts), medians of ${b.runs}, same rounds:\n` +
      `  bare Node process, spawn → initialize:  ${b.bareInitialize.toFixed(1)} ms\n` +
      `  Threadline (openai host), spawn → initialize:        ${r(b.threadline.initialize)}; → first thread/list: ${r(b.threadline.firstList)}\n` +
      `  Threadline (default echo host), spawn → initialize:  ${r(b.threadlineEcho.initialize)}; → first thread/list: ${r(b.threadlineEcho.firstList)}\n`,
  );
}
if (crashes.length > 0) {
  process.stderr.write(`\n${crashes.length} step(s) crashed:\n${crashes.join('\n\n')}\n`);
  process.exit(1);
}
