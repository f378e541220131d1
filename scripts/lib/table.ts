/**
 * Plain-text table for terminal reports (build, benchmarks, demo): a header row, a
 * rule, then the rows. The first column is left-aligned; the others are
 * right-aligned (numbers) unless `align` says 'left'.
 */
export function formatTable(
  header: string[],
  rows: string[][],
  options: { align?: 'numbers' | 'left' } = {},
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === 0 || options.align === 'left' ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
