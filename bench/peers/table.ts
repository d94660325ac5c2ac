import type { PeerRow } from './context.js';

const fmt = (n: number | null): string => {
  if (n === null || !Number.isFinite(n)) return 'not measured';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
};

/** How the two compare, in words that cannot be misread: lower is better for every row. */
function ratio(r: PeerRow): string {
  if (r.threadline === null || r.codex === null || !(r.threadline > 0) || !(r.codex > 0)) return '—';
  const x = r.threadline / r.codex;
  return `${x.toFixed(2)}× (${x <= 1 ? `Threadline ${(1 / x).toFixed(1)}× better` : `Codex ${x.toFixed(1)}× better`})`;
}

/** figure | Threadline | Codex | ratio (Threadline ÷ Codex), as Markdown. */
export function formatPeerTable(rows: readonly PeerRow[]): string {
  const header = ['figure', 'Threadline', 'Codex', 'ratio (Threadline ÷ Codex; lower is better)'];
  const lines = rows.map((r) => [`${r.figure} [${r.unit}]`, fmt(r.threadline), fmt(r.codex), ratio(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.figure}: ${r.note}`);
  return [line(header), rule, ...lines.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}
