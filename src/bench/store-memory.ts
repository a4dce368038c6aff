/**
 * `bench store-memory`: does the store's memory stay flat while it appends
 * gigabytes? The parent checks free disk, makes the data folder and starts a
 * child process (so its RSS holds only the store and the writers); the child
 * opens a store (ASYNC_FLUSH, 1 GiB segments), warms up with ~10 MB, then
 * appends --gb of 1..16 KiB messages with 64 writers while sampling
 * process.memoryUsage() every 250 ms, and prints one JSON summary. The parent
 * deletes the data (also on failure) and prints the result line.
 * PASS when max RSS - start RSS <= --limit-mb (default 64).
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { MessageStore, resolveMessageStoreConfig } from '../store/index.js';
import { parseNumber } from './bench-args.js';
import type { BenchCommand } from './bench-context.js';
import { MiB, freeBytes } from './bench-context.js';
import { BENCH_STORE_HOST, BenchMessageFactory, makeKeyPrefix, seededRandom } from './bench-messages.js';
import { BenchOutput, MB, perSecond, round } from './bench-output.js';
import { runAppenders } from './store-workload.js';

export const STORE_MEMORY_USAGE = `usage: bench store-memory [--gb 5] [--writers 64] [--min-size 1024] [--max-size 16384]
                          [--limit-mb 64] [--segment-mib 1024] [--max-seconds 900] [--json-only]`;

const GB = 1e9;
const WARMUP_BYTES = 10 * MB;
const SAMPLE_MS = 250;

/** What the child reports (one JSON line on its stdout). */
interface ChildReport {
  readonly msgs: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly startRss: number;
  readonly maxRss: number;
  readonly endRss: number;
  readonly maxHeapUsed: number;
  readonly maxExternal: number;
  readonly samples: number;
  readonly segments: number;
  readonly complete: boolean;
  readonly error: string | null;
}

const memOptions = {
  writers: { type: 'string', default: '64' },
  'min-size': { type: 'string', default: '1024' },
  'max-size': { type: 'string', default: '16384' },
  'segment-mib': { type: 'string', default: '1024' },
  'max-seconds': { type: 'string', default: '900' },
} as const;

export const runStoreMemory: BenchCommand = async (args, ctx) => {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: { ...memOptions, gb: { type: 'string', default: '5' }, 'limit-mb': { type: 'string', default: '64' }, 'json-only': { type: 'boolean', default: false } },
  });
  const bytes = Math.round(parseNumber('gb', values.gb, { min: 0.001 }) * GB);
  const limitMb = parseNumber('limit-mb', values['limit-mb'], { min: 1 });
  const writers = parseNumber('writers', values.writers, { min: 1, integer: true });
  const minSize = parseNumber('min-size', values['min-size'], { min: 1, integer: true });
  const maxSize = parseNumber('max-size', values['max-size'], { min: minSize, integer: true });
  const maxSeconds = parseNumber('max-seconds', values['max-seconds'], { min: 1 });
  parseNumber('segment-mib', values['segment-mib'], { min: 8, integer: true });
  const out = new BenchOutput({ jsonOnly: values['json-only'], writeStdout: ctx.writeStdout, writeStderr: ctx.writeStderr });

  const free = freeBytes(ctx.temp.root);
  if (free < 2 * bytes) {
    ctx.writeStderr(`bench store-memory: refusing: ${ctx.temp.root} has ${(free / GB).toFixed(2)} GB free, need at least 2 x ${(bytes / GB).toFixed(2)} GB; lower --gb or set BENCH_TMPDIR\n`);
    return 2;
  }
  const dir = ctx.temp.create('memory');
  out.progress(`store-memory: ${(bytes / GB).toFixed(2)} GB of ${minSize}..${maxSize} B messages, ${writers} writers, data in ${dir} (${(free / GB).toFixed(1)} GB free)`);
  const childArgs = ['store-memory-child', '--dir', dir, '--bytes', String(bytes), '--seed', String(Math.floor(ctx.random() * 2 ** 31))];
  for (const k of Object.keys(memOptions) as (keyof typeof memOptions)[]) childArgs.push(`--${k}`, values[k]);
  let report: ChildReport | undefined;
  let exitCode: number | null = null;
  try {
    const child = spawn(ctx.self.execPath, [...ctx.self.execArgv, ctx.self.mainPath, ...childArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    const dropHook = ctx.atExit(() => child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    const killTimer = setTimeout(() => child.kill('SIGKILL'), (maxSeconds + 120) * 1000);
    exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    }).finally(() => {
      clearTimeout(killTimer);
      dropHook();
    });
    const last = stdout.split('\n').filter((l) => l.startsWith('{')).pop();
    if (last !== undefined) report = JSON.parse(last) as ChildReport;
  } finally {
    ctx.temp.remove(dir);
  }

  const toMb = (b: number | undefined): number | null => (b === undefined ? null : round(b / MiB));
  const delta = report === undefined ? undefined : report.maxRss - report.startRss;
  const pass = report !== undefined && report.error === null && delta !== undefined && delta <= limitMb * MiB;
  const problem = report === undefined ? `error: child exited with ${String(exitCode)} and no report` : report.error !== null ? `error: ${report.error}` : report.complete ? '' : 'INCOMPLETE (hit --max-seconds)';
  out.emit({
    bench: 'store-memory',
    case: 'append_rss',
    size: null,
    size_min: minSize,
    size_max: maxSize,
    flush: 'async',
    writers,
    msgs: report?.msgs ?? null,
    bytes: report?.bytes ?? null,
    seconds: round(report?.seconds),
    msgs_per_s: round(report === undefined ? null : perSecond(report.msgs, report.seconds), 1),
    mb_per_s: round(report === undefined || report.seconds <= 0 ? null : report.bytes / report.seconds / MB),
    start_rss_mb: toMb(report?.startRss),
    max_rss_mb: toMb(report?.maxRss),
    end_rss_mb: toMb(report?.endRss),
    delta_rss_mb: toMb(delta),
    max_heap_used_mb: toMb(report?.maxHeapUsed),
    max_external_mb: toMb(report?.maxExternal),
    limit_mb: limitMb,
    samples: report?.samples ?? null,
    pass,
    notes: `${problem}${problem === '' ? '' : '; '}RSS sampled every ${SAMPLE_MS} ms in a child process; start = after open + ${WARMUP_BYTES / MB} MB warm-up; ${report?.segments ?? '?'} commit-log segments; data deleted; MB here = MiB`,
  });
  out.progress(`store-memory: start RSS ${toMb(report?.startRss) ?? '-'} MiB, max ${toMb(report?.maxRss) ?? '-'} MiB, delta ${toMb(delta) ?? '-'} MiB (limit ${limitMb}) ${pass ? 'PASS' : 'MISS'}`);
  return report === undefined || report.error !== null ? 1 : 0;
};

/** The child: appends and samples; prints one JSON line (ChildReport). */
export const runStoreMemoryChild: BenchCommand = async (args, ctx) => {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: { ...memOptions, dir: { type: 'string' }, bytes: { type: 'string', default: '0' }, seed: { type: 'string', default: '1' } },
  });
  if (values.dir === undefined) throw new Error('store-memory-child needs --dir');
  const bytes = parseNumber('bytes', values.bytes, { min: 1, integer: true });
  const minSize = parseNumber('min-size', values['min-size'], { min: 1, integer: true });
  const maxSize = parseNumber('max-size', values['max-size'], { min: minSize, integer: true });
  const rnd = seededRandom(parseNumber('seed', values.seed, { integer: true }));
  const nextSize = (): number => minSize + Math.floor(rnd() * (maxSize - minSize + 1));
  const writers = parseNumber('writers', values.writers, { min: 1, integer: true });
  const maxSeconds = parseNumber('max-seconds', values['max-seconds'], { min: 1 });
  const config = resolveMessageStoreConfig({
    storePathRootDir: values.dir,
    flushDiskType: 'ASYNC_FLUSH',
    mappedFileSizeCommitLog: parseNumber('segment-mib', values['segment-mib'], { min: 8, integer: true }) * MiB,
  });
  const store = new MessageStore(config, { storeHost: BENCH_STORE_HOST });
  const factory = new BenchMessageFactory({ uniqKey: true, keyPrefix: makeKeyPrefix(rnd) });
  let report: ChildReport | undefined;
  let error: string | null = null;
  await store.open();
  try {
    await runAppenders(store, factory, { writers, nextSize, maxSeconds: 60, maxBytes: WARMUP_BYTES, waitStoreMsgOK: true });
    const start = process.memoryUsage();
    const peak = { rss: start.rss, heapUsed: start.heapUsed, external: start.external, samples: 1 };
    const progress = { msgs: 0, bytes: 0 };
    let lastReport = performance.now();
    const sample = (): void => {
      const m = process.memoryUsage();
      peak.rss = Math.max(peak.rss, m.rss);
      peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
      peak.external = Math.max(peak.external, m.external);
      peak.samples++;
      if (performance.now() - lastReport >= 5000) {
        lastReport = performance.now();
        ctx.writeStderr(`[bench] store-memory: ${(progress.bytes / GB).toFixed(2)} GB, rss ${(m.rss / MiB).toFixed(1)} MiB (start ${(start.rss / MiB).toFixed(1)}), heap ${(m.heapUsed / MiB).toFixed(1)} MiB\n`);
      }
    };
    const timer = setInterval(sample, SAMPLE_MS);
    try {
      const a = await runAppenders(store, factory, { writers, nextSize, maxSeconds, maxBytes: bytes, waitStoreMsgOK: true, progress });
      const segments = store.diskFootprint().segments;
      await store.close(); // sampled too: the final flush must not balloon either
      sample();
      if (a.firstFailure !== undefined) error = a.firstFailure;
      report = {
        msgs: a.msgs, bytes: a.bytes, seconds: a.seconds, startRss: start.rss, maxRss: peak.rss, endRss: process.memoryUsage().rss,
        maxHeapUsed: peak.heapUsed, maxExternal: peak.external, samples: peak.samples, segments,
        complete: a.bytes >= bytes || a.firstFailure !== undefined, error,
      };
    } finally {
      clearInterval(timer);
    }
  } finally {
    await store.close();
  }
  if (report === undefined) throw new Error('store-memory-child: no report');
  ctx.writeStdout(`${JSON.stringify(report)}\n`);
  return report.error === null ? 0 : 1;
};
