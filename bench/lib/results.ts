/** One line of the table and of bench/results.json's `rows`. */
export interface Row {
  name: string;
  value: number;
  unit: string;
  /** The same-run raw baseline in the same unit; null where the goal is absolute. */
  baseline: number | null;
  /** value / baseline; null where there is no baseline. */
  ratio: number | null;
  goal: string;
  pass: boolean;
}

export type Goal = { atLeast: number } | { atMost: number } | { below: number; unit: string };

/** Builds a row, judging the ratio (or, for absolute goals, the value) against the goal. */
export function row(name: string, value: number, unit: string, baseline: number | null, goal: Goal): Row {
  const ratio = baseline === null || baseline === 0 ? null : value / baseline;
  if ('below' in goal) {
    return { name, value, unit, baseline, ratio, goal: `< ${goal.below} ${goal.unit}`, pass: value < goal.below };
  }
  if ('atLeast' in goal) {
    return { name, value, unit, baseline, ratio, goal: `≥ ${goal.atLeast}×`, pass: ratio !== null && ratio >= goal.atLeast };
  }
  return { name, value, unit, baseline, ratio, goal: `≤ ${goal.atMost}×`, pass: ratio !== null && ratio <= goal.atMost };
}

const fmt = (n: number | null): string => {
  if (n === null || !Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
};

/** The one table the benchmark prints (also valid Markdown, for the README). */
export function formatTable(rows: readonly Row[]): string {
  const header = ['figure', 'value', 'unit', 'baseline', 'ratio', 'goal', 'pass'];
  const lines = rows.map((r) => [
    r.name,
    fmt(r.value),
    r.unit,
    fmt(r.baseline),
    r.ratio === null ? '—' : `${fmt(r.ratio)}×`,
    r.goal,
    r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...lines.map(line)].join('\n');
}
