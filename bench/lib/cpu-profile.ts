import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { join } from 'node:path';
import { REPO } from './paths.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  fn: string;
  where: string;
  ms: number;
  percent: number;
}

/** For positions in the esbuild bundle: the source file (and line) they came from, by its source map. */
function bundleSources(): (line: number, column: number) => string | undefined {
  const map = join(REPO, 'dist/threadline.cjs.map');
  if (!existsSync(map)) return () => undefined;
  const sourceMap = new SourceMap(JSON.parse(readFileSync(map, 'utf8')) as SourceMapPayload);
  return (line, column) => {
    const entry = sourceMap.findEntry(line, column) as { originalSource?: string; originalLine?: number };
    if (!entry.originalSource) return undefined;
    return `${entry.originalSource.replace(/^(\.\.\/)+/, '')}:${(entry.originalLine ?? 0) + 1}`;
  };
}

/** The functions with the most self time in a V8 `.cpuprofile`, source modules resolved. */
export function topSelfTime(file: string, count = 15): { totalMs: number; top: SelfTime[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const sourceOf = bundleSources();
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(REPO, '');
    const where = url.endsWith('threadline.cjs') ? (sourceOf(lineNumber, columnNumber) ?? file) : file || '(native)';
    const key = `${functionName}@${where}`;
    const entry = self.get(key) ?? { fn: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    self.set(key, entry);
    totalUs += us;
  });
  const top = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((e) => ({ fn: e.fn, where: e.where, ms: e.us / 1000, percent: (100 * e.us) / totalUs }));
  return { totalMs: totalUs / 1000, top };
}

export function formatSelfTime(name: string, summary: ReturnType<typeof topSelfTime>): string {
  const lines = summary.top.map(
    (t) => `  ${t.percent.toFixed(1).padStart(5)}%  ${t.ms.toFixed(0).padStart(6)} ms  ${t.fn}  (${t.where})`,
  );
  return [`${name}: ${summary.totalMs.toFixed(0)} ms sampled, top self time`, ...lines].join('\n');
}
