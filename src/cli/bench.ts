/**
 * `orbit bench producer|consumer`: ad-hoc load like RocketMQ's benchmark
 * programs (example/benchmark/Producer.java, Consumer.java). Bounded by
 * --duration (and Ctrl-C); one TPS / latency line per second, then a summary
 * (with --json: one document, the per-second samples inside it).
 */
import { Producer, PushConsumer } from '../client/index.js';
import { intFlag, ok, type CliContext, type CommandResult } from './output.js';

export interface BenchProducerFlags {
  readonly topic: string;
  readonly size?: string | undefined;
  readonly threads?: string | undefined;
  readonly duration?: string | undefined;
  readonly autoBatch?: boolean | undefined;
}

export interface BenchConsumerFlags {
  readonly topic: string;
  readonly group?: string | undefined;
  readonly duration?: string | undefined;
}

interface Window {
  count: number;
  failed: number;
  rtSum: number;
  rtMax: number;
}

const fresh = (): Window => ({ count: 0, failed: 0, rtSum: 0, rtMax: 0 });

function fold(total: Window, w: Window): void {
  total.count += w.count;
  total.failed += w.failed;
  total.rtSum += w.rtSum;
  total.rtMax = Math.max(total.rtMax, w.rtMax);
}

/** Runs `tick` every second until `durationS` or the signal; resolves when stopped. */
function everySecond(ctx: CliContext, durationS: number, tick: () => void): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      clearInterval(timer);
      clearTimeout(end);
      ctx.signal.removeEventListener('abort', stop);
      resolve();
    };
    const timer = setInterval(tick, 1000);
    const end = setTimeout(stop, durationS * 1000 + 100); // after the last per-second line
    ctx.signal.addEventListener('abort', stop);
  });
}

export async function benchProducer(ctx: CliContext, f: BenchProducerFlags, print: (line: string) => void, json: boolean): Promise<CommandResult> {
  const size = intFlag('--size', f.size, 1024, 1, 4 * 1024 * 1024);
  const threads = intFlag('--threads', f.threads, 64, 1, 4096);
  const duration = intFlag('--duration', f.duration, 10, 1, 86_400);
  await ctx.admin.topicRoute(f.topic);
  const producer = new Producer({
    namesrvAddr: ctx.namesrvAddr, group: 'orbit-bench-producer', requestTimeoutMs: ctx.timeoutMs, autoBatch: f.autoBatch === true,
  });
  await producer.start();
  const body = Buffer.alloc(size, 0x78);
  let w = fresh();
  const total = fresh();
  let running = true;
  const lane = async (): Promise<void> => {
    while (running) {
      const t0 = performance.now();
      try {
        await producer.send({ topic: f.topic, body });
        const rt = performance.now() - t0;
        w.count++;
        w.rtSum += rt;
        if (rt > w.rtMax) w.rtMax = rt;
      } catch {
        w.failed++;
      }
    }
  };
  const lanes = Array.from({ length: threads }, lane);
  let second = 0;
  const samples: unknown[] = [];
  await everySecond(ctx, duration, () => {
    second++;
    const line = { second, sendTps: w.count, avgRtMs: w.count > 0 ? Number((w.rtSum / w.count).toFixed(3)) : null, maxRtMs: Number(w.rtMax.toFixed(3)), failed: w.failed };
    samples.push(line);
    if (!json) print(`Send TPS: ${w.count} Max RT(ms): ${line.maxRtMs} Average RT(ms): ${line.avgRtMs ?? '-'} Send Failed: ${w.failed}`);
    fold(total, w);
    w = fresh();
  });
  running = false;
  await Promise.all(lanes);
  // Sends acknowledged after the last per-second line count too.
  fold(total, w);
  await producer.shutdown();
  const summary = { topic: f.topic, seconds: second, sent: total.count, failed: total.failed, sendTps: second > 0 ? Math.round(total.count / second) : 0, avgRtMs: total.count > 0 ? Number((total.rtSum / total.count).toFixed(3)) : null, maxRtMs: Number(total.rtMax.toFixed(3)), size, threads, samples };
  return ok(summary, `sent ${summary.sent} messages of ${size} B in ${second} s: ${summary.sendTps} msg/s, avg RT ${summary.avgRtMs ?? '-'} ms, ${summary.failed} failed`);
}

export async function benchConsumer(ctx: CliContext, f: BenchConsumerFlags, print: (line: string) => void, json: boolean): Promise<CommandResult> {
  const duration = intFlag('--duration', f.duration, 10, 1, 86_400);
  await ctx.admin.topicRoute(f.topic);
  const consumer = new PushConsumer({ namesrvAddr: ctx.namesrvAddr, group: f.group ?? 'orbit-bench-consumer', requestTimeoutMs: ctx.timeoutMs, pullBatchSize: 32 });
  let w = { count: 0, b2c: 0, s2c: 0, maxS2c: 0 };
  const total = { count: 0, b2c: 0, s2c: 0 };
  consumer.subscribe(f.topic).onMessage((msgs) => {
    const now = Date.now();
    for (const m of msgs) {
      w.count++;
      w.b2c += now - m.bornTimestamp;
      const s2c = now - m.storeTimestamp;
      w.s2c += s2c;
      if (s2c > w.maxS2c) w.maxS2c = s2c;
    }
    return 'SUCCESS';
  });
  await consumer.start();
  let second = 0;
  const samples: unknown[] = [];
  await everySecond(ctx, duration, () => {
    second++;
    const avg = (x: number): number | null => (w.count > 0 ? Number((x / w.count).toFixed(3)) : null);
    const line = { second, consumeTps: w.count, avgBornToConsumeMs: avg(w.b2c), avgStoreToConsumeMs: avg(w.s2c), maxStoreToConsumeMs: w.maxS2c };
    samples.push(line);
    if (!json) print(`Consume TPS: ${w.count} Average(B2C) RT(ms): ${line.avgBornToConsumeMs ?? '-'} Average(S2C) RT(ms): ${line.avgStoreToConsumeMs ?? '-'} MAX(S2C) RT(ms): ${w.maxS2c}`);
    total.count += w.count;
    total.b2c += w.b2c;
    total.s2c += w.s2c;
    w = { count: 0, b2c: 0, s2c: 0, maxS2c: 0 };
  });
  // Messages handled after the last per-second line (and until the shutdown ends) count too.
  await consumer.shutdown();
  total.count += w.count;
  const summary = { topic: f.topic, seconds: second, consumed: total.count, consumeTps: second > 0 ? Math.round(total.count / second) : 0, samples };
  return ok(summary, `consumed ${summary.consumed} messages in ${second} s: ${summary.consumeTps} msg/s`);
}
