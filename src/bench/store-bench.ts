/**
 * `bench store`: the message store's append and read throughput against this
 * disk's ceilings, measured in the same run and the same folder.
 *
 * Cases: body size × flush mode × writer count × batch, each on a fresh store
 * (default 1 GiB segments), bounded by --seconds and --max-mib, then closed
 * and deleted. Batch 1 (case `append`) awaits one putMessage at a time per
 * writer; batch N > 1 (case `append_batch`, with a `batch` field) awaits one
 * putMessageBatch of N messages, as the broker stores a SEND_BATCH_MESSAGE.
 * One ASYNC single-append case per size (the one with most writers) is read
 * back before closing. Ends with the target ratios (informational: exit 0),
 * measured on single appends; with --batch N > 1 also the ASYNC 1 KiB batch
 * append vs the disk.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FlushDiskType } from '../store/index.js';
import { MessageStore, resolveMessageStoreConfig } from '../store/index.js';
import { parseChoiceList, parseIntList, parseNumber } from './bench-args.js';
import type { BenchCommand, BenchContext } from './bench-context.js';
import { MiB, freeBytes } from './bench-context.js';
import { BENCH_QUEUES, BENCH_STORE_HOST, BenchMessageFactory, makeKeyPrefix } from './bench-messages.js';
import type { ResultLine } from './bench-output.js';
import { BenchOutput, MB, perSecond, round } from './bench-output.js';
import type { DiskResult } from './disk-ceiling.js';
import { measureDisk } from './disk-ceiling.js';
import { readBack, runAppenders } from './store-workload.js';

export const STORE_USAGE = `usage: bench store [--seconds 3] [--sizes 128,1024,16384] [--writers 1,64] [--flush async,sync]
                   [--batch 1[,32]] [--max-mib 1024] [--segment-mib 1024] [--no-uniq-key] [--quick] [--json-only]`;

const FLUSH: Readonly<Record<'async' | 'sync', FlushDiskType>> = { async: 'ASYNC_FLUSH', sync: 'SYNC_FLUSH' };
const READ_BATCH = 32;
/**
 * The read-back reads everything the case appended (at most --max-mib), so it
 * ends with the data; this cap is only a safety net. Tying it to --seconds
 * made a short run on a busy machine report an INCOMPLETE read.
 */
const READ_MAX_SECONDS = 60;
export const TARGET_ASYNC_VS_DISK = 0.5;
export const TARGET_SYNC_VS_ASYNC = 0.3;

interface StoreBenchOptions {
  readonly seconds: number;
  readonly sizes: readonly number[];
  readonly writers: readonly number[];
  readonly flush: readonly ('async' | 'sync')[];
  /** Messages per store call; 1 = single appends. */
  readonly batches: readonly number[];
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly uniqKey: boolean;
  readonly quick: boolean;
  readonly jsonOnly: boolean;
}

function parseOptions(args: readonly string[]): StoreBenchOptions {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      seconds: { type: 'string' },
      sizes: { type: 'string', default: '128,1024,16384' },
      writers: { type: 'string', default: '1,64' },
      flush: { type: 'string', default: 'async,sync' },
      batch: { type: 'string', default: '1' },
      'max-mib': { type: 'string' },
      'segment-mib': { type: 'string', default: '1024' },
      'no-uniq-key': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'json-only': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true;
  return {
    seconds: values.seconds === undefined ? (quick ? 0.3 : 3) : parseNumber('seconds', values.seconds, { min: 0.05 }),
    sizes: parseIntList('sizes', values.sizes, 1),
    writers: parseIntList('writers', values.writers, 1),
    flush: parseChoiceList('flush', values.flush, ['async', 'sync'] as const),
    batches: parseIntList('batch', values.batch, 1),
    maxBytes: (values['max-mib'] === undefined ? (quick ? 64 : 1024) : parseNumber('max-mib', values['max-mib'], { min: 1 })) * MiB,
    segmentBytes: parseNumber('segment-mib', values['segment-mib'], { min: 8, integer: true }) * MiB,
    uniqKey: values['no-uniq-key'] !== true,
    quick,
    jsonOnly: values['json-only'] === true,
  };
}

interface CaseResult {
  readonly size: number;
  readonly flush: 'async' | 'sync';
  readonly writers: number;
  readonly batch: number;
  readonly msgsPerS: number | null;
  readonly mbPerS: number | null;
}

function line(fields: Partial<Record<string, string | number | boolean | null>> & { case: string }): ResultLine {
  const base = { bench: 'store', case: fields.case, size: null, flush: null, writers: null, msgs: null, bytes: null, seconds: null };
  const out: Record<string, string | number | boolean | null> = { ...base, msgs_per_s: null, mb_per_s: null, ops_per_s: null, errors: null, notes: null };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

function diskLine(d: DiskResult): ResultLine {
  return line({
    case: d.case,
    size: d.blockBytes,
    flush: d.case === 'disk_buffered_write' ? 'none' : d.case === 'disk_seq_write' ? 'fdatasync_final' : 'fdatasync_per_write',
    writers: 1,
    bytes: d.bytes,
    seconds: round(d.seconds),
    mb_per_s: round(d.bytes / d.seconds / MB),
    ops_per_s: round(d.ops / d.seconds, 1),
    notes: d.notes,
  });
}

async function runCase(
  ctx: BenchContext,
  o: StoreBenchOptions,
  out: BenchOutput,
  factory: BenchMessageFactory,
  c: { size: number; flush: 'async' | 'sync'; writers: number; batch: number; readBack: boolean },
): Promise<CaseResult> {
  return ctx.temp.with('store', async (dir) => {
    const config = resolveMessageStoreConfig({
      storePathRootDir: dir,
      flushDiskType: FLUSH[c.flush],
      mappedFileSizeCommitLog: o.segmentBytes,
    });
    const store = new MessageStore(config, { storeHost: BENCH_STORE_HOST });
    await store.open();
    try {
      const a = await runAppenders(store, factory, {
        writers: c.writers,
        nextSize: () => c.size,
        maxSeconds: o.seconds,
        maxBytes: o.maxBytes,
        waitStoreMsgOK: true,
        batch: c.batch,
      });
      const r = c.readBack ? readBack(store, { batch: READ_BATCH, maxTotalBytes: 8 * MiB, maxSeconds: READ_MAX_SECONDS }) : undefined;
      const tClose = performance.now();
      await store.close();
      const closeSeconds = (performance.now() - tClose) / 1000;

      const msgsPerS = perSecond(a.msgs, a.seconds);
      const mbPerS = a.seconds > 0 ? a.bytes / a.seconds / MB : null;
      const errors = [...a.failures.values()].reduce((x, y) => x + y, 0);
      const failed = a.firstFailure === undefined ? '' : `; error: ${a.firstFailure} (x${errors})`;
      const ack = c.flush === 'sync' ? 'after fdatasync (group commit)' : 'after the write to the page cache';
      const call = c.batch > 1 ? `BATCH appends: each writer awaits one putMessageBatch of ${c.batch} messages (a SEND_BATCH_MESSAGE body); ack = putMessageBatch` : 'single appends: each writer awaits one putMessage; ack = putMessage';
      const note = `${FLUSH[c.flush]}, ${call} resolved ${ack}; ${o.segmentBytes / MiB} MiB segments; ${BENCH_QUEUES} queues; uniq key ${o.uniqKey ? 'on' : 'off'}; close ${closeSeconds.toFixed(3)} s (untimed); load avg 1m ${loadavg()[0]?.toFixed(2) ?? '?'} (other processes skew results)${failed}`;
      const fields = { size: c.size, flush: c.flush, writers: c.writers, msgs: a.msgs, bytes: a.bytes, seconds: round(a.seconds), msgs_per_s: round(msgsPerS, 1), mb_per_s: round(mbPerS), errors, notes: note };
      // Single appends keep the original line shape; batch appends are their own case with a batch field.
      out.emit(c.batch > 1 ? line({ case: 'append_batch', batch: c.batch, ...fields }) : line({ case: 'append', ...fields }));
      out.row([c.batch > 1 ? `append ${c.flush} batch ${c.batch}` : `append ${c.flush}`, c.size, c.writers, a.msgs, round(a.seconds), round(msgsPerS, 0), round(mbPerS, 1)]);
      if (r !== undefined) {
        const rb = r.msgs * c.size;
        const rMsgs = perSecond(r.msgs, r.seconds);
        const rMb = r.seconds > 0 ? rb / r.seconds / MB : null;
        const readNote = `getMessage in batches of ${READ_BATCH}, queue by queue (${BENCH_QUEUES}), right after the ${c.writers}-writer append (page cache); record bytes ${r.recordBytes}${r.complete ? '' : `; INCOMPLETE: ${r.msgs} of ${r.available}`}`;
        out.emit(line({ case: 'read', size: c.size, flush: c.flush, writers: 1, msgs: r.msgs, bytes: rb, seconds: round(r.seconds), msgs_per_s: round(rMsgs, 1), mb_per_s: round(rMb), errors: 0, notes: readNote }));
        out.row([`read ${c.flush}`, c.size, 1, r.msgs, round(r.seconds), round(rMsgs, 0), round(rMb, 1)]);
      }
      return { ...c, msgsPerS, mbPerS };
    } finally {
      await store.close();
    }
  });
}

function ratioLine(name: string, value: number | null, target: number, fields: Record<string, string | number | null>, notes: string): ResultLine {
  return {
    bench: 'store',
    case: 'ratio',
    ratio: name,
    ...fields,
    value: round(value),
    target,
    pass: value !== null && value >= target,
    notes,
  };
}

function reportRatios(out: BenchOutput, o: StoreBenchOptions, disk: DiskResult | undefined, cases: readonly CaseResult[]): void {
  const verdict = (v: number | null, t: number): string => (v === null ? 'n/a' : v >= t ? 'PASS' : 'MISS');
  const lines: string[] = [];
  const diskMb = disk === undefined ? null : disk.bytes / disk.seconds / MB;
  const bestAsync1k = (batched: boolean): CaseResult | undefined =>
    cases
      .filter((c) => c.flush === 'async' && c.size === 1024 && c.mbPerS !== null && (c.batch > 1) === batched)
      .reduce<CaseResult | undefined>((b, c) => (b === undefined || (c.mbPerS ?? 0) > (b.mbPerS ?? 0) ? c : b), undefined);
  const best = bestAsync1k(false);
  const a = best?.mbPerS != null && diskMb !== null && diskMb > 0 ? best.mbPerS / diskMb : null;
  out.emit(ratioLine('async_1k_append_vs_disk_seq_write', a, TARGET_ASYNC_VS_DISK,
    { size: 1024, writers: best?.writers ?? null, numerator_mb_per_s: round(best?.mbPerS ?? null), denominator_mb_per_s: round(diskMb) },
    best === undefined ? 'not measured: needs --sizes with 1024, --flush with async and --batch with 1' : 'best ASYNC 1 KiB SINGLE append (one putMessage per await) MB/s over writer counts / disk sequential write MB/s (with final fdatasync)'));
  lines.push(`(a) ASYNC 1 KiB single append ${round(best?.mbPerS ?? null, 1) ?? '-'} MB/s (${best?.writers ?? '-'} writers) / disk seq write ${round(diskMb, 1) ?? '-'} MB/s = ${round(a) ?? '-'}  target >= ${TARGET_ASYNC_VS_DISK}  ${verdict(a, TARGET_ASYNC_VS_DISK)}`);
  const bestBatch = bestAsync1k(true);
  if (bestBatch !== undefined) {
    const ab = bestBatch.mbPerS != null && diskMb !== null && diskMb > 0 ? bestBatch.mbPerS / diskMb : null;
    out.emit(ratioLine('async_1k_batch_append_vs_disk_seq_write', ab, TARGET_ASYNC_VS_DISK,
      { size: 1024, writers: bestBatch.writers, batch: bestBatch.batch, numerator_mb_per_s: round(bestBatch.mbPerS), denominator_mb_per_s: round(diskMb) },
      `best ASYNC 1 KiB BATCH append (putMessageBatch of ${bestBatch.batch} per await) MB/s over writer counts and batch sizes / disk sequential write MB/s (with final fdatasync); the target is defined on single appends`));
    lines.push(`(a') ASYNC 1 KiB batch-of-${bestBatch.batch} append ${round(bestBatch.mbPerS, 1) ?? '-'} MB/s (${bestBatch.writers} writers) / disk seq write ${round(diskMb, 1) ?? '-'} MB/s = ${round(ab) ?? '-'}  (informational: the target is on single appends)`);
  }
  const w = Math.max(...o.writers);
  for (const size of o.sizes) {
    const s = cases.find((c) => c.flush === 'sync' && c.size === size && c.writers === w && c.batch === 1);
    const as = cases.find((c) => c.flush === 'async' && c.size === size && c.writers === w && c.batch === 1);
    const v = s?.msgsPerS != null && as?.msgsPerS != null && as.msgsPerS > 0 ? s.msgsPerS / as.msgsPerS : null;
    out.emit(ratioLine('sync_vs_async_msgs', v, TARGET_SYNC_VS_ASYNC,
      { size, writers: w, numerator_msgs_per_s: round(s?.msgsPerS ?? null, 1), denominator_msgs_per_s: round(as?.msgsPerS ?? null, 1) },
      v === null ? 'not measured: needs --flush async,sync and --batch with 1' : `SYNC_FLUSH / ASYNC_FLUSH msgs/s of single appends at ${w} writers${w === 64 ? '' : ' (target is defined at 64)'}`));
    lines.push(`(b) ${size} B, ${w} writers, single appends: SYNC ${round(s?.msgsPerS ?? null, 0) ?? '-'} / ASYNC ${round(as?.msgsPerS ?? null, 0) ?? '-'} msgs/s = ${round(v) ?? '-'}  target >= ${TARGET_SYNC_VS_ASYNC}  ${verdict(v, TARGET_SYNC_VS_ASYNC)}`);
  }
  if (!o.jsonOnly) out.progress(`target ratios (informational)\n  ${lines.join('\n  ')}`);
}

/** An untimed, unreported run so the first case does not pay for JIT compilation. */
async function warmUp(ctx: BenchContext, o: StoreBenchOptions, factory: BenchMessageFactory): Promise<void> {
  const seconds = Math.min(o.seconds, o.quick ? 0.1 : 1);
  await ctx.temp.with('warmup', async (dir) => {
    const store = new MessageStore(resolveMessageStoreConfig({ storePathRootDir: dir, mappedFileSizeCommitLog: o.segmentBytes }), { storeHost: BENCH_STORE_HOST });
    await store.open();
    try {
      await runAppenders(store, factory, { writers: 64, nextSize: () => 1024, maxSeconds: seconds, maxBytes: o.maxBytes, waitStoreMsgOK: true });
      const batch = Math.max(...o.batches);
      if (batch > 1) await runAppenders(store, factory, { writers: 64, nextSize: () => 1024, maxSeconds: seconds, maxBytes: o.maxBytes, waitStoreMsgOK: true, batch });
      readBack(store, { batch: READ_BATCH, maxTotalBytes: 8 * MiB, maxSeconds: seconds });
    } finally {
      await store.close();
    }
  });
}

export const runStoreBench: BenchCommand = async (args, ctx) => {
  const o = parseOptions(args);
  const out = new BenchOutput({ jsonOnly: o.jsonOnly, writeStdout: ctx.writeStdout, writeStderr: ctx.writeStderr });
  const free = freeBytes(ctx.temp.root);
  const need = 2 * o.maxBytes + 256 * MiB;
  if (free < need) {
    ctx.writeStderr(`bench store: ${ctx.temp.root} has ${(free / MiB).toFixed(0)} MiB free; need ${(need / MiB).toFixed(0)} MiB (lower --max-mib)\n`);
    return 2;
  }
  const cpu = cpus();
  out.progress(`data folder ${ctx.temp.root} (${(free / 1024 ** 3).toFixed(1)} GiB free); ${cpu.length} cpus (${cpu[0]?.model ?? '?'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, node ${process.version}, load avg 1m ${loadavg()[0]?.toFixed(2) ?? '?'}`);
  if (existsSync(join(ctx.repoRoot, '..', 'shared', 'bench', 'limits.sh'))) {
    out.progress('../shared/bench/limits.sh exists: `bash ../shared/bench/limits.sh` cross-checks the disk numbers below (not run here)');
  }

  const diskQuick = { maxBytes: 16 * MiB, maxSeconds: 0.3 };
  const disk = await ctx.temp.with('disk', (dir) => Promise.resolve(measureDisk(dir, o.quick ? diskQuick : undefined)));
  out.table(['disk', 'block', 'MB/s', 'ops/s', 'seconds'], [0, 0, 1, 0, 3]);
  for (const d of disk) {
    out.emit(diskLine(d));
    out.row([d.case, d.blockBytes, round(d.bytes / d.seconds / MB, 1), round(d.ops / d.seconds, 0), round(d.seconds)]);
  }
  out.printTable('disk ceilings (same folder as the store)');

  const factory = new BenchMessageFactory({ uniqKey: o.uniqKey, keyPrefix: makeKeyPrefix(ctx.random) });
  await warmUp(ctx, o, factory);
  const maxWriters = Math.max(...o.writers);
  const cases: CaseResult[] = [];
  out.table(['case', 'size', 'writers', 'msgs', 'seconds', 'msgs/s', 'MB/s'], [0, 0, 0, 0, 3, 0, 1]);
  for (const flush of o.flush) {
    for (const size of o.sizes) {
      for (const writers of o.writers) {
        for (const batch of o.batches) {
          out.progress(`append ${flush} ${size} B x ${writers} writers${batch > 1 ? ` x batch ${batch}` : ''}`);
          const readBack = flush === 'async' && writers === maxWriters && batch === (o.batches.includes(1) ? 1 : o.batches[0]);
          cases.push(await runCase(ctx, o, out, factory, { size, flush, writers, batch, readBack }));
        }
      }
    }
  }
  out.printTable(`store append / read (${o.seconds} s or ${o.maxBytes / MiB} MiB per case; MB = 10^6 payload bytes)`);
  reportRatios(out, o, disk.find((d) => d.case === 'disk_seq_write'), cases);
  return 0;
};
