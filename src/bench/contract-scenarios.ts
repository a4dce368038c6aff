/**
 * The three CONTRACT.md scenarios through OrbitMQ's SDK against a running
 * standalone server: publish (window W of unacknowledged sends), e2e (fixed
 * rate, latency from the send time embedded in the payload), drain (consume
 * and commit a pre-filled backlog).
 */
import { getErrorMessage } from '../common/index.js';
import { AdminClient } from '../client/admin/admin-client.js';
import type { MessageExt } from '../client/index.js';
import { LitePullConsumer, Producer, PushConsumer } from '../client/index.js';
import { cpuSeconds, stealSeconds } from './bench-context.js';
import { round } from './bench-output.js';
import { LatencyRecorder, awaitArrivals, pacedPublish, payloadFactory, settledP99Note } from './e2e-load.js';

export type Scenario = 'publish' | 'e2e' | 'drain';

export interface ContractResult {
  /** `node-relay` is the floor benchmark's relay (relay-floor.ts), not a broker. */
  system: 'orbitmq' | 'node-relay';
  variant: string;
  scenario: Scenario;
  msgs: number | null;
  bytes: number | null;
  seconds: number | null;
  msgs_per_s: number | null;
  mb_per_s: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  max_ms: number | null;
  notes: string | null;
}

/** The line CONTRACT.md asks for when a run fails: metrics null, notes starting with "error:". */
export function contractErrorLine(system: ContractResult['system'], variant: string, scenario: Scenario, err: unknown): ContractResult {
  return {
    system, variant, scenario, msgs: null, bytes: null, seconds: null, msgs_per_s: null, mb_per_s: null,
    p50_ms: null, p99_ms: null, p999_ms: null, max_ms: null, notes: `error: ${getErrorMessage(err)}`,
  };
}

export interface ScenarioParams {
  readonly namesrv: string;
  readonly serverPid: number;
  readonly flush: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  readonly variant: string;
  readonly msgs: number;
  readonly size: number;
  readonly window: number;
  readonly rate: number;
  readonly seconds: number;
  readonly maxSeconds: number;
  readonly log: (msg: string) => void;
}

const QUEUES = 8;

function ackNote(flush: string): string {
  return flush === 'SYNC_FLUSH'
    ? 'SYNC_FLUSH: send acknowledged after fdatasync of the commit log (group commit)'
    : 'ASYNC_FLUSH: send acknowledged after the write to the page cache, fdatasync every 500 ms';
}

/** Creates `topic` with 8 queues on every master and waits until the name server routes it. */
export async function createBenchTopic(namesrv: string, topic: string): Promise<void> {
  const admin = new AdminClient({ namesrvAddr: namesrv });
  try {
    const ci = await admin.clusterInfo();
    const masters = [...ci.brokers.values()].map((b) => b.addrs.get(0)).filter((a): a is string => a !== undefined);
    for (const addr of masters) await admin.createTopic(addr, { topic, readQueueNums: QUEUES, writeQueueNums: QUEUES, perm: 6 });
    // Wait until the name server routes it (the broker re-registers right after the create).
    for (let i = 0; i < 100; i++) {
      try {
        await admin.topicRoute(topic);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    await admin.close();
  }
}

function within<T>(p: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`INCOMPLETE: ${what} ran past ${seconds} s`)), seconds * 1000);
    }),
  ]);
}

/** Publishes `n` messages keeping at most `window` unacknowledged; returns acknowledged count and seconds. */
async function publishWindowed(producer: Producer, topic: string, n: number, size: number, window: number, deadlineMs: number): Promise<{ acked: number; seconds: number }> {
  let next = 0;
  let acked = 0;
  const payload = payloadFactory(size);
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (next < n && performance.now() < deadlineMs) {
      const seq = next++;
      await producer.send({ topic, body: payload(seq) });
      acked++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, lane));
  return { acked, seconds: (performance.now() - t0) / 1000 };
}

export async function runScenario(scenario: Scenario, p: ScenarioParams): Promise<ContractResult> {
  const topic = `bench_${scenario}_${process.pid}_${Date.now()}`;
  const group = `bench_${scenario}_${process.pid}`;
  await createBenchTopic(p.namesrv, topic);
  const producer = new Producer({ namesrvAddr: p.namesrv, group: `${group}_p`, instanceName: `bench-p-${process.pid}`, autoBatch: true });
  await producer.start();
  // Setup, as the peers' adapters declare their queue or stream before the timer: learn the topic's route now.
  await producer.fetchPublishMessageQueues(topic);
  const base = { system: 'orbitmq' as const, variant: p.variant, scenario, p50_ms: null, p99_ms: null, p999_ms: null, max_ms: null };
  const sampleCpu = (): { client: NodeJS.CpuUsage; server: number | undefined; steal: number | undefined } => (
    { client: process.cpuUsage(), server: cpuSeconds(p.serverPid), steal: stealSeconds() });
  const cpu0 = sampleCpu();
  const cpuNote = (): string => {
    const c = process.cpuUsage(cpu0.client);
    const s = cpuSeconds(p.serverPid);
    const server = s !== undefined && cpu0.server !== undefined ? `${(s - cpu0.server).toFixed(2)} s` : 'n/a';
    const steal = stealSeconds();
    const stolen = steal !== undefined && cpu0.steal !== undefined ? `, host steal ${(steal - cpu0.steal).toFixed(2)} s` : '';
    return `cpu: client ${((c.user + c.system) / 1e6).toFixed(2)} s, broker ${server}${stolen}`;
  };
  try {
    if (scenario === 'publish') {
      const deadline = performance.now() + p.maxSeconds * 1000;
      const r = await publishWindowed(producer, topic, p.msgs, p.size, p.window, deadline);
      const incomplete = r.acked < p.msgs ? 'INCOMPLETE (time limit); ' : '';
      return {
        ...base, msgs: r.acked, bytes: r.acked * p.size, seconds: round(r.seconds),
        msgs_per_s: round(r.acked / r.seconds, 1), mb_per_s: round((r.acked * p.size) / r.seconds / 1e6),
        notes: `${incomplete}${ackNote(p.flush)}; OrbitMQ SDK Producer (autoBatch: concurrent sends in one request), window ${p.window}, ${QUEUES} queues; ${cpuNote()}`,
      };
    }
    if (scenario === 'drain') {
      p.log(`pre-filling ${p.msgs} messages`);
      await within(publishWindowed(producer, topic, p.msgs, p.size, Math.max(p.window, 512), Infinity), p.maxSeconds, 'pre-fill');
      const consumer = new LitePullConsumer({ namesrvAddr: p.namesrv, group: `${group}_c`, instanceName: `bench-c-${process.pid}`, pullBatchSize: 256, pullThresholdForAll: 20_000, autoCommit: false, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
      Object.assign(cpu0, sampleCpu());
      const t0 = performance.now();
      let got = 0;
      try {
        consumer.subscribe(topic);
        await consumer.start();
        await within((async () => {
          while (got < p.msgs) got += (await consumer.poll({ timeoutMs: 1000 })).length;
        })(), p.maxSeconds, 'drain');
        await consumer.commitSync();
      } finally {
        await consumer.shutdown();
      }
      const seconds = (performance.now() - t0) / 1000;
      return {
        ...base, msgs: got, bytes: got * p.size, seconds: round(seconds), msgs_per_s: round(got / seconds, 1),
        mb_per_s: round((got * p.size) / seconds / 1e6),
        notes: `${ackNote(p.flush)}; OrbitMQ SDK LitePullConsumer, pull batch 256, offsets committed to the broker at the end (sync round trip); ${cpuNote()}`,
      };
    }
    return await e2e(p, producer, topic, group, base, cpuNote);
  } finally {
    await producer.shutdown();
  }
}

async function e2e(
  p: ScenarioParams,
  producer: Producer,
  topic: string,
  group: string,
  base: Pick<ContractResult, 'system' | 'variant' | 'scenario'>,
  cpuNote: () => string,
): Promise<ContractResult> {
  const total = Math.round(p.rate * p.seconds);
  const record = new LatencyRecorder(total);
  const consumer = new PushConsumer({ namesrvAddr: p.namesrv, group: `${group}_c`, instanceName: `bench-e-${process.pid}`, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', pullBatchSize: 64 });
  consumer.subscribe(topic).onMessage((msgs: MessageExt[]) => {
    const now = process.hrtime.bigint();
    for (const m of msgs) record.receive(m.body, now);
    return 'SUCCESS';
  });
  await consumer.start();
  try {
    await new Promise((r) => setTimeout(r, 1000)); // let the rebalance assign the queues and the pulls park
    const payload = payloadFactory(p.size);
    let outstanding = 0;
    let failures = 0;
    const { published, seconds } = await pacedPublish({
      rate: p.rate, total, hardStopSeconds: Math.min(2 * p.seconds + 10, p.maxSeconds), outstanding: () => outstanding,
      publish: (seq) => {
        outstanding++;
        producer.send({ topic, body: payload(seq) }).then(() => outstanding--, () => {
          outstanding--;
          failures++;
        });
      },
    });
    await awaitArrivals(() => record.received, published, Math.min(30, p.maxSeconds));
    const l = record.summary(p.rate);
    const incomplete = published < total || l.received < published ? `INCOMPLETE (published ${published}/${total}, received ${l.received}); ` : '';
    return {
      ...base, msgs: l.received, bytes: l.received * p.size, seconds: round(seconds),
      msgs_per_s: round(published / seconds, 1), mb_per_s: round((published / seconds) * p.size / 1e6),
      p50_ms: round(l.p50 ?? 0), p99_ms: round(l.p99 ?? 0), p999_ms: round(l.p999 ?? 0), max_ms: round(l.max ?? 0),
      notes: `${incomplete}${ackNote(p.flush)}; rate ${p.rate}/s, SDK PushConsumer (long polling, pull batch 64, concurrent listener), ${failures} send failures${settledP99Note(l)}; ${cpuNote()}`,
    };
  } finally {
    await consumer.shutdown();
  }
}
