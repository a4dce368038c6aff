/**
 * `bench delay`: does a large backlog of pending timed messages slow sends?
 * One broker (in this process, fresh store, ASYNC_FLUSH) and the SDK
 * producer with 64 sends in flight over loopback, measured in one run:
 *   A. plain sends, nothing pending;
 *   B. plain sends with N pending timed messages and N pending delay-level
 *      messages (default N = 1,000,000 each, parked straight into the store
 *      so the backlog builds in seconds);
 *   C. timed sends (1 h ahead) with the same backlog;
 *   D. delivery: --burst timed messages all due at the same moment, and as
 *      many at delay level 1 (1 s), parked straight into the store; how long
 *      after they fall due the last one is stored in its real topic.
 * Reports B/A and C/A against the target of 0.8 (informational, exit 0), and
 * D's delivery rates and lateness.
 */
import { parseArgs } from 'node:util';
import { resolveBrokerConfig } from '../broker/broker-config.js';
import { BrokerController } from '../broker/broker-controller.js';
import type { BrokerContext } from '../broker/broker-context.js';
import { Producer } from '../client/index.js';
import { NamesrvServer, resolveNamesrvConfig } from '../namesrv/index.js';
import { encodeProperties } from '../common/index.js';
import { SCHEDULE_TOPIC, resolveMessageStoreConfig } from '../store/index.js';
import { toScheduleTopic } from '../broker/schedule-message-service.js';
import { parseNumber } from './bench-args.js';
import type { BenchCommand } from './bench-context.js';
import { BenchOutput, perSecond, round } from './bench-output.js';

export const DELAY_USAGE = 'usage: bench delay [--pending 1000000] [--seconds 3] [--size 1024] [--window 64] [--burst 100000] [--quick] [--json-only]';
const TARGET = 0.8;
/** D gives up waiting for the deliveries after this long. */
const DELIVERY_LIMIT_MS = 120_000;

/** Messages stored in the 8 queues of `topic`. */
function storedIn(b: BrokerContext, topic: string): number {
  let n = 0;
  for (let q = 0; q < 8; q++) n += b.store.getMaxOffsetInQueue(topic, q);
  return n;
}

interface Delivery {
  readonly delivered: number;
  /** From the moment the last message fell due to the moment the last was stored. */
  readonly lastLateMs: number;
  /** From the moment the first fell due to the moment the last was stored. */
  readonly spanMs: number;
}

/** Waits until `count` messages are stored in `topic` (or the limit passes), polling every 2 ms. */
async function awaitDelivery(b: BrokerContext, topic: string, count: number, firstDue: number, lastDue: number): Promise<Delivery> {
  const limit = Date.now() + DELIVERY_LIMIT_MS;
  let delivered = storedIn(b, topic);
  while (delivered < count && Date.now() < limit) {
    await new Promise((r) => setTimeout(r, 2));
    delivered = storedIn(b, topic);
  }
  const done = Date.now();
  return { delivered, lastLateMs: done - lastDue, spanMs: done - firstDue };
}

async function sendFor(producer: Producer, topic: string, body: Buffer, seconds: number, window: number, delayMs?: number): Promise<{ msgs: number; seconds: number }> {
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let msgs = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < end) {
      await producer.send(delayMs === undefined ? { topic, body } : { topic, body, delayMs });
      msgs++;
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return { msgs, seconds: (performance.now() - start) / 1000 };
}

export const runDelayBench: BenchCommand = async (args, ctx) => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      pending: { type: 'string', default: '1000000' },
      seconds: { type: 'string', default: '3' },
      size: { type: 'string', default: '1024' },
      window: { type: 'string', default: '64' },
      burst: { type: 'string', default: '100000' },
      quick: { type: 'boolean', default: false },
      'json-only': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const quick = values.quick;
  const pending = quick ? 2000 : parseNumber('pending', values.pending, { min: 0, integer: true });
  const seconds = quick ? 0.3 : parseNumber('seconds', values.seconds, { min: 0.1 });
  const size = parseNumber('size', values.size, { min: 1, integer: true });
  const window = quick ? 8 : parseNumber('window', values.window, { min: 1, integer: true });
  const burst = quick ? 2000 : parseNumber('burst', values.burst, { min: 1, integer: true });
  const out = new BenchOutput({ jsonOnly: values['json-only'], writeStdout: ctx.writeStdout, writeStderr: ctx.writeStderr });

  const dir = ctx.temp.create('delay-bench-');
  const namesrv = new NamesrvServer(resolveNamesrvConfig({ listenPort: 0 }));
  await namesrv.start();
  const namesrvAddr = `127.0.0.1:${namesrv.address().port}`;
  const broker = new BrokerController(
    resolveBrokerConfig({ listenPort: 0, namesrvAddr }),
    resolveMessageStoreConfig({ storePathRootDir: dir, flushDiskType: 'ASYNC_FLUSH', messageIndexEnable: false }),
  );
  await broker.start();
  const remove = ctx.atExit(() => {
    void broker.close(0);
    void namesrv.close({ graceMs: 0 });
  });
  const producer = new Producer({ namesrvAddr, group: 'bench_delay', instanceName: `bench-${process.pid}` });
  try {
    const b = broker.context;
    b.topics.ensure('BenchPlain', 8, 6);
    await broker.registerBrokerAll();
    await producer.start();
    const body = Buffer.alloc(size, 7);
    await sendFor(producer, 'BenchPlain', body, Math.min(0.5, seconds), window); // warm-up
    out.progress(`A: plain sends, ${seconds} s`);
    const a = await sendFor(producer, 'BenchPlain', body, seconds, window);

    out.progress(`parking ${pending} timed messages and ${pending} delay-level messages`);
    const parkStart = performance.now();
    const host = b.storeHost;
    const due = Date.now() + 3_600_000;
    const batch: Promise<unknown>[] = [];
    const base = { topic: 'BenchPlain', flag: 0, body: Buffer.alloc(64), sysFlag: 0, bornTimestamp: Date.now(), bornHost: host, storeHost: host, reconsumeTimes: 0, preparedTransactionOffset: 0 };
    for (let i = 0; i < pending; i++) {
      // An arbitrary delivery time an hour away …
      const props = new Map([['TIMER_DELIVER_MS', String(due + i)]]);
      batch.push(b.store.putMessage(b.timers.park({ ...base, queueId: i % 8, properties: encodeProperties(props) }, props, due + i)));
      // … and the top delay level (2 h): parked in SCHEDULE_TOPIC_XXXX.
      const level = new Map([['DELAY', String(b.schedule.maxLevel)]]);
      batch.push(b.store.putMessage(toScheduleTopic({ ...base, queueId: i % 8, properties: encodeProperties(level) }, level, b.schedule.maxLevel, b.schedule.maxLevel)));
      if (batch.length >= 1024) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    const levelPending = b.store.getMaxOffsetInQueue(SCHEDULE_TOPIC, b.schedule.maxLevel - 1);
    out.progress(`${levelPending} delay-level messages pending`);
    const parkSeconds = (performance.now() - parkStart) / 1000;
    out.progress(`${b.timers.pending} pending after ${parkSeconds.toFixed(1)} s`);

    out.progress(`B: plain sends with ${b.timers.pending} pending, ${seconds} s`);
    const bRun = await sendFor(producer, 'BenchPlain', body, seconds, window);
    out.progress(`C: timed sends with the backlog, ${seconds} s`);
    const cRun = await sendFor(producer, 'BenchPlain', body, seconds, window, 3_600_000);

    // D: a burst of timed messages all due at one moment, then a burst at delay level 1.
    b.topics.ensure('BenchDueTimer', 8, 6);
    b.topics.ensure('BenchDueLevel', 8, 6);
    out.progress(`D: ${burst} timed messages due at one moment`);
    const parkDue = async (topic: string, make: (i: number) => Promise<unknown>): Promise<void> => {
      const parked: Promise<unknown>[] = [];
      for (let i = 0; i < burst; i++) {
        parked.push(make(i));
        if (parked.length >= 1024) await Promise.all(parked.splice(0));
      }
      await Promise.all(parked);
      out.progress(`${burst} parked for ${topic}`);
    };
    // Due once the whole burst is surely parked (parking runs at well over 20,000/s).
    const dueAt = Date.now() + 1000 + Math.ceil(burst / 20);
    await parkDue('BenchDueTimer', (i) => {
      const props = new Map([['TIMER_DELIVER_MS', String(dueAt)]]);
      return b.store.putMessage(b.timers.park({ ...base, topic: 'BenchDueTimer', queueId: i % 8, properties: encodeProperties(props) }, props, dueAt));
    });
    const parkedBy = Date.now();
    const timerDelivery = await awaitDelivery(b, 'BenchDueTimer', burst, dueAt, dueAt);
    out.progress(`D: ${burst} messages at delay level 1`);
    const levelMs = b.schedule.levelDelayMs(1);
    const levelFirstDue = Date.now() + levelMs;
    await parkDue('BenchDueLevel', (i) => {
      const level = new Map([['DELAY', '1']]);
      return b.store.putMessage(toScheduleTopic({ ...base, topic: 'BenchDueLevel', queueId: i % 8, properties: encodeProperties(level) }, level, 1, b.schedule.maxLevel));
    });
    const levelLastDue = Date.now() + levelMs;
    const levelDelivery = await awaitDelivery(b, 'BenchDueLevel', burst, levelFirstDue, levelLastDue);
    for (const [name, d, note] of [
      ['timer_burst_delivery', timerDelivery, `all due at one moment${parkedBy > dueAt ? ` (parking ended ${parkedBy - dueAt} ms after it)` : ''}; lateness of the last = stored - due`],
      ['level1_burst_delivery', levelDelivery, `parked over ${levelLastDue - levelFirstDue} ms, due ${levelMs} ms after; lateness of the last = stored - its due time`],
    ] as const) {
      out.emit({
        bench: 'delay', case: name, msgs: d.delivered, complete: d.delivered >= burst, seconds: round(d.spanMs / 1000),
        msgs_per_s: round(perSecond(d.delivered, d.spanMs / 1000) ?? 0, 1), last_late_ms: d.lastLateMs, notes: note,
      });
      out.progress(`${name}: ${d.delivered}/${burst} stored, the last ${d.lastLateMs} ms after it fell due (${round(perSecond(d.delivered, d.spanMs / 1000) ?? 0, 1)} msg/s from the first due)`);
    }

    const rate = (r: { msgs: number; seconds: number }): number => perSecond(r.msgs, r.seconds) ?? 0;
    for (const [name, r] of [['plain_empty', a], ['plain_with_pending', bRun], ['timed_with_pending', cRun]] as const) {
      out.emit({ bench: 'delay', case: name, size, window, pending: name === 'plain_empty' ? 0 : b.timers.pending + b.store.getMaxOffsetInQueue(SCHEDULE_TOPIC, b.schedule.maxLevel - 1), msgs: r.msgs, seconds: round(r.seconds), msgs_per_s: round(rate(r), 1) });
    }
    for (const [name, r] of [['plain_with_pending_vs_empty', bRun], ['timed_with_pending_vs_empty', cRun]] as const) {
      const value = rate(a) > 0 ? rate(r) / rate(a) : null;
      out.emit({ bench: 'delay', case: 'ratio', ratio: name, value: round(value), target: TARGET, pass: value !== null && value >= TARGET });
      out.progress(`${name}: ${value?.toFixed(3) ?? '-'} (target >= ${TARGET}) ${value !== null && value >= TARGET ? 'PASS' : 'MISS'}`);
    }
  } finally {
    await producer.shutdown();
    await broker.close(0);
    await namesrv.close({ graceMs: 0 });
    remove();
  }
  return 0;
};
