/**
 * Output of the benchmarks: one JSON object per result on stdout (the style
 * of ../shared/bench/CONTRACT.md: plain numbers, `seconds` to 0.001,
 * `msgs_per_s` to 0.1, the rest to 0.001, null where not applicable) and a
 * human-readable table on stderr, so stdout stays machine-readable.
 */

export type JsonValue = string | number | boolean | null;
export type ResultLine = Readonly<Record<string, JsonValue>>;

export const MB = 1e6;

export function round(x: number | null | undefined, digits = 3): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function perSecond(count: number, seconds: number): number | null {
  return seconds > 0 ? count / seconds : null;
}

export interface BenchOutputOptions {
  /** Print only the JSON lines (no table, no progress). */
  readonly jsonOnly: boolean;
  readonly writeStdout: (s: string) => void;
  readonly writeStderr: (s: string) => void;
}

export class BenchOutput {
  private readonly opts: BenchOutputOptions;
  private readonly rows: string[][] = [];
  private header: readonly string[] = [];
  private decimals: readonly number[] = [];

  constructor(opts: BenchOutputOptions) {
    this.opts = opts;
  }

  /** One JSON line on stdout. */
  emit(line: ResultLine): void {
    this.opts.writeStdout(`${JSON.stringify(line)}\n`);
  }

  /** Progress and notes for humans (stderr). */
  progress(msg: string): void {
    if (!this.opts.jsonOnly) this.opts.writeStderr(`[bench] ${msg}\n`);
  }

  /** Starts a table; rows are printed together by `printTable`. */
  /** `decimals[i]`: fixed decimals for numbers in column i (default 0). */
  table(header: readonly string[], decimals: readonly number[] = []): void {
    this.header = header;
    this.decimals = decimals;
    this.rows.length = 0;
  }

  row(cells: readonly (string | number | null)[]): void {
    this.rows.push(cells.map((c, i) => (c === null ? '-' : typeof c === 'number' ? formatNumber(c, this.decimals[i] ?? 0) : c)));
  }

  printTable(title: string): void {
    if (this.opts.jsonOnly || this.header.length === 0) return;
    const all = [this.header.slice(), ...this.rows];
    const widths = this.header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    const fmt = (r: readonly string[]): string =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
    const lines = [title, fmt(this.header.slice()), widths.map((w) => '-'.repeat(w)).join('  '), ...this.rows.map(fmt)];
    this.opts.writeStderr(`\n${lines.join('\n')}\n\n`);
  }
}

function formatNumber(n: number, decimals: number): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
