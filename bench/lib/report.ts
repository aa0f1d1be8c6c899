/**
 * Plain-text tables for the benchmark output: a title, a header row, and
 * rows whose first column is a label and whose other columns are right-aligned.
 */

export function table(headers: readonly string[], rows: readonly (readonly string[])[], indent = '   '): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent + cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

export const fixed = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

export const ratio = (value: number, base: number) => (Number.isFinite(value / base) ? `×${(value / base).toFixed(2)}` : 'n/a');

/** "×0.84 (target ≥ 0.80: met)" */
export function againstTarget(value: number, base: number, target: number): string {
  const r = value / base;
  if (!Number.isFinite(r)) return 'n/a';
  return `×${r.toFixed(2)} (target ≥ ${target.toFixed(2)}: ${r >= target ? 'met' : 'NOT met'})`;
}

export const mib = (kib: number) => fixed(kib / 1024, 1);

/** "×1.21 (≤ 1.50: met)" or "×0.84 (≥ 0.80: NOT met)": a ratio checked against an upper or lower bound. */
export function checked(value: number, base: number, bound: '≥' | '≤', target: number): string {
  const r = value / base;
  if (!Number.isFinite(r)) return 'n/a';
  const met = bound === '≥' ? r >= target : r <= target;
  // Three digits where two would round onto the target and hide which side of it the ratio is.
  const shown = Number(r.toFixed(2)) === target && r !== target ? r.toFixed(3) : r.toFixed(2);
  return `×${shown} (${bound} ${target.toFixed(2)}: ${met ? 'met' : 'NOT met'})`;
}

export const percent = (fraction: number | undefined) => (fraction === undefined ? 'n/a' : `${(fraction * 100).toFixed(0)} %`);
