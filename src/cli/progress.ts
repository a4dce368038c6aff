/** A one-line progress bar redrawn in place (`\r`), at most every 100 ms; for TTYs only. */
import type { Progress } from './output.js';

export interface ProgressSink {
  write(text: string): void;
  readonly columns?: number | undefined;
}

export function createProgressBar(sink: ProgressSink, label: string, total: number, now: () => number = Date.now): Progress {
  let done = 0;
  let lastDraw = 0;
  const started = now();
  let finished = false;
  const draw = (force: boolean): void => {
    const t = now();
    if (!force && t - lastDraw < 100) return;
    lastDraw = t;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const rate = done / Math.max(0.001, (t - started) / 1000);
    const tail = ` ${done}/${total} ${Math.floor(ratio * 100)}% ${rate.toFixed(0)}/s`;
    const width = Math.max(10, Math.min(40, (sink.columns ?? 80) - label.length - tail.length - 4));
    const fill = Math.round(ratio * width);
    sink.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}]${tail}`);
  };
  return {
    tick(n = 1): void {
      done += n;
      draw(done >= total);
    },
    done(): void {
      if (finished) return;
      finished = true;
      draw(true);
      sink.write('\n');
    },
  };
}
