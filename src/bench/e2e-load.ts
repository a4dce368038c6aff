/**
 * The load side of CONTRACT.md's `e2e` scenario, shared by the OrbitMQ run
 * (contract-scenarios) and the relay floor (relay-floor): the payload, the
 * paced publisher (message i due at t0 + i/R, a ~1 ms timer loop publishing
 * whatever is due) and the latency record (by sequence number, duplicates
 * counted once, nearest-rank percentiles).
 */

/**
 * CONTRACT payloads: send time (ns, monotonic), sequence, then 'x'. Made as
 * the harness's reference (bench.mjs) makes them: a pooled allocUnsafe buffer
 * and a copy of an 'x' template, the send time written last.
 */
export function payloadFactory(size: number): (seq: number) => Buffer {
  const template = Buffer.alloc(size, 0x78);
  return (seq) => {
    const b = Buffer.allocUnsafe(size);
    template.copy(b);
    b.writeBigUInt64BE(BigInt(seq), 8);
    b.writeBigUInt64BE(process.hrtime.bigint(), 0); // taken immediately before the publish call
    return b;
  };
}

/** Nearest rank: the value at index ceil(q·n) − 1 of the sorted values. */
export function percentile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? null;
}

export interface LatencySummary {
  readonly received: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  readonly max: number | null;
  /** p99 of the messages sent after the first second (not a CONTRACT figure: it separates a cold client from the steady state). */
  readonly settledP99: number | null;
}

/** The notes' clause giving `settledP99` (empty when there is none). */
export function settledP99Note(l: LatencySummary): string {
  return l.settledP99 === null ? '' : `; p99 of the messages sent after the first second: ${l.settledP99.toFixed(3)} ms`;
}

/** Latencies of `total` messages by sequence number; a sequence seen twice counts once. */
export class LatencyRecorder {
  private readonly latencies: Float64Array;
  private readonly bySeq: Float64Array;
  private readonly seen: Uint8Array;
  private count = 0;

  constructor(private readonly total: number) {
    this.latencies = new Float64Array(total);
    this.bySeq = new Float64Array(total).fill(Number.NaN);
    this.seen = new Uint8Array(total);
  }

  get received(): number {
    return this.count;
  }

  /** Records the payload `body` received at `now` (CLOCK_MONOTONIC ns): latency = now − embedded send time. */
  receive(body: Buffer, now: bigint): void {
    const seq = Number(body.readBigUInt64BE(8));
    if (seq >= this.total || this.seen[seq] === 1) return;
    this.seen[seq] = 1;
    const ms = Number(now - body.readBigUInt64BE(0)) / 1e6;
    this.latencies[this.count++] = ms;
    this.bySeq[seq] = ms;
  }

  summary(rate: number): LatencySummary {
    const sorted = this.latencies.slice(0, this.count).sort();
    const settled = this.bySeq.slice(Math.min(this.total, Math.round(rate))).filter((x) => !Number.isNaN(x)).sort();
    return {
      received: this.count,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      p999: percentile(sorted, 0.999),
      max: sorted.length === 0 ? null : (sorted[sorted.length - 1] ?? null),
      settledP99: percentile(settled, 0.99),
    };
  }
}

export interface PacedOptions {
  readonly rate: number;
  readonly total: number;
  /** Stop publishing after this many seconds even if behind. */
  readonly hardStopSeconds: number;
  /** Publishes message `seq` without waiting for its acknowledgement. */
  readonly publish: (seq: number) => void;
  /** Messages published and not yet acknowledged; publishing stalls above max(10000, rate). */
  readonly outstanding: () => number;
}

/** Publishes `total` messages at `rate`; resolves with how many were published and the seconds from the first to the last publish call + 1/rate. */
export function pacedPublish(o: PacedOptions): Promise<{ published: number; seconds: number }> {
  const start = performance.now();
  const hardStop = start + o.hardStopSeconds * 1000;
  const cap = Math.max(10_000, o.rate);
  let published = 0;
  let lastPublish = start;
  return new Promise((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(o.total, Math.floor(((now - start) / 1000) * o.rate) + 1);
      while (published < due && o.outstanding() < cap) {
        lastPublish = performance.now();
        o.publish(published++);
      }
      if (published >= o.total || now > hardStop) resolve({ published, seconds: (lastPublish - start) / 1000 + 1 / o.rate });
      else setTimeout(tick, 1);
    };
    tick();
  });
}

/** Waits until `received()` reaches `expected` or `graceSeconds` pass. */
export async function awaitArrivals(received: () => number, expected: number, graceSeconds: number): Promise<void> {
  const end = performance.now() + graceSeconds * 1000;
  while (received() < expected && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
}
