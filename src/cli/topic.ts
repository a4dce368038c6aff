/** `orbit topic create|update|delete|list|route|status`. */
import { NotFoundError } from '../common/index.js';
import type { TopicOffset } from '../client/admin/index.js';
import { masters, type TargetFlags } from './brokers.js';
import { ExitCode, UsageError, formatTime, intFlag, keyValues, ok, table, type CliContext, type CommandResult } from './output.js';

export interface TopicCreateFlags extends TargetFlags {
  readonly topic: string;
  readonly readQueues?: string;
  readonly writeQueues?: string;
  readonly perm?: string;
  readonly order?: boolean;
}

const TOPIC_RE = /^[%|a-zA-Z0-9_-]{1,127}$/;

function checkTopic(topic: string): void {
  if (!TOPIC_RE.test(topic)) throw new UsageError(`bad topic name "${topic}": use 1-127 characters of [%|a-zA-Z0-9_-]`);
}

function perm(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const named: Record<string, number> = { r: 4, w: 2, rw: 6, ro: 4, wo: 2 };
  const n = named[v] ?? Number(v);
  if (![2, 4, 6].includes(n)) throw new UsageError(`--perm must be 2 (write), 4 (read), 6 (read+write) or r|w|rw, got "${v}"`);
  return n;
}

/** Waits (bounded) until the name servers route the topic, so the next command sees it. */
async function routeVisible(ctx: CliContext, topic: string, brokers: number): Promise<boolean> {
  const deadline = Date.now() + Math.min(ctx.timeoutMs, 5_000);
  for (;;) {
    try {
      const r = await ctx.admin.topicRoute(topic);
      if (r.queueDatas.length >= brokers) return true;
    } catch (err: unknown) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function topicCreate(ctx: CliContext, f: TopicCreateFlags, update = false): Promise<CommandResult> {
  checkTopic(f.topic);
  let current: Map<string, { read: number; write: number; perm: number }> | undefined;
  if (update) {
    const route = await ctx.admin.topicRoute(f.topic);
    current = new Map(route.queueDatas.map((q) => [q.brokerName, { read: q.readQueueNums, write: q.writeQueueNums, perm: q.perm }]));
  }
  let targets = await masters(ctx.admin, f);
  if (current !== undefined && f.broker === undefined && f.cluster === undefined) targets = targets.filter((t) => current.has(t.brokerName));
  if (targets.length === 0) throw new NotFoundError('no master broker matches; check -c / -b');
  const rows: { brokerName: string; addr: string; readQueueNums: number; writeQueueNums: number; perm: number }[] = [];
  for (const t of targets) {
    const cur = current?.get(t.brokerName);
    const cfg = {
      topic: f.topic,
      readQueueNums: intFlag('--read-queues', f.readQueues, cur?.read ?? 8, 1, 1024),
      writeQueueNums: intFlag('--write-queues', f.writeQueues, cur?.write ?? 8, 1, 1024),
      perm: perm(f.perm, cur?.perm ?? 6),
      order: f.order ?? false,
    };
    await ctx.admin.createTopic(t.addr, cfg);
    rows.push({ brokerName: t.brokerName, addr: t.addr, readQueueNums: cfg.readQueueNums, writeQueueNums: cfg.writeQueueNums, perm: cfg.perm });
  }
  const visible = await routeVisible(ctx, f.topic, update ? 1 : rows.length);
  const verb = update ? 'updated' : 'created';
  const human = [
    `topic ${ctx.style.bold(f.topic)} ${verb} on ${rows.length} broker${rows.length === 1 ? '' : 's'}`,
    table(ctx.style, ['BROKER', 'ADDRESS', 'READ', 'WRITE', 'PERM'], rows.map((r) => [r.brokerName, r.addr, r.readQueueNums, r.writeQueueNums, r.perm])),
    ...(visible ? [] : [ctx.style.yellow('note: the name servers do not route it yet; it shows up after the next broker registration')]),
  ].join('\n');
  return ok({ topic: f.topic, action: verb, brokers: rows, routeVisible: visible }, human);
}

export async function topicDelete(ctx: CliContext, topic: string): Promise<CommandResult> {
  const brokers = await ctx.admin.topicMasters(topic);
  for (const b of brokers) await ctx.admin.deleteTopicInBroker(b.addr, topic);
  await ctx.admin.deleteTopicInNamesrvs(topic);
  return ok(
    { topic, action: 'deleted', brokers, namesrvs: ctx.admin.namesrvAddrs },
    `topic ${ctx.style.bold(topic)} deleted from ${brokers.length} broker${brokers.length === 1 ? '' : 's'} and ${ctx.admin.namesrvAddrs.length} name server${ctx.admin.namesrvAddrs.length === 1 ? '' : 's'}`,
  );
}

const SYSTEM_TOPIC = /^(%RETRY%|%DLQ%|rmq_sys_|SCHEDULE_TOPIC_XXXX$|RMQ_SYS_|TBW102$|BenchmarkTest$|OFFSET_MOVED_EVENT$|SELF_TEST_TOPIC$|TRANS_CHECK_MAX_TIME_TOPIC$)/;

export async function topicList(ctx: CliContext, f: { system?: boolean }): Promise<CommandResult> {
  const info = await ctx.admin.clusterInfo();
  const names = new Set([...info.clusters.keys(), ...info.brokers.keys()]);
  const all = (await ctx.admin.topicList()).sort();
  const topics = f.system === true ? all : all.filter((t) => !SYSTEM_TOPIC.test(t) && !names.has(t) && !t.endsWith('_REPLY_TOPIC'));
  const human = topics.length === 0 ? ctx.style.dim('(no topics)') : topics.join('\n');
  return ok({ topics }, human);
}

export async function topicRoute(ctx: CliContext, topic: string): Promise<CommandResult> {
  const r = await ctx.admin.topicRoute(topic);
  const brokers = r.brokerDatas.map((b) => ({ cluster: b.cluster, brokerName: b.brokerName, addrs: Object.fromEntries([...b.brokerAddrs].map(([id, a]) => [String(id), a])) }));
  const queues = r.queueDatas.map((q) => ({ brokerName: q.brokerName, readQueueNums: q.readQueueNums, writeQueueNums: q.writeQueueNums, perm: q.perm, topicSysFlag: q.topicSysFlag }));
  const addrRows = r.brokerDatas.flatMap((b) => [...b.brokerAddrs].sort(([a], [c]) => a - c).map(([id, a]) => [b.cluster, b.brokerName, id === 0 ? 'master' : `slave ${id}`, a]));
  const human = [
    table(ctx.style, ['CLUSTER', 'BROKER', 'ROLE', 'ADDRESS'], addrRows),
    '',
    table(ctx.style, ['BROKER', 'READ', 'WRITE', 'PERM'], queues.map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, permText(q.perm)])),
  ].join('\n');
  return ok({ topic, brokers, queues, ...(r.orderTopicConf === undefined ? {} : { orderTopicConf: r.orderTopicConf }) }, human);
}

function permText(p: number): string {
  return `${(p & 4) !== 0 ? 'r' : '-'}${(p & 2) !== 0 ? 'w' : '-'} (${p})`;
}

export async function topicStatus(ctx: CliContext, topic: string): Promise<CommandResult> {
  const brokers = await ctx.admin.topicMasters(topic);
  const rows: TopicOffset[] = [];
  for (const b of brokers) rows.push(...await ctx.admin.topicStats(b.addr, topic));
  rows.sort((a, b) => (a.queue.brokerName === b.queue.brokerName ? a.queue.queueId - b.queue.queueId : a.queue.brokerName < b.queue.brokerName ? -1 : 1));
  const messages = rows.reduce((n, r) => n + (r.maxOffset - r.minOffset), 0);
  const last = rows.reduce((m, r) => Math.max(m, r.lastUpdateTimestamp), 0);
  const queues = rows.map((r) => ({ brokerName: r.queue.brokerName, queueId: r.queue.queueId, minOffset: r.minOffset, maxOffset: r.maxOffset, lastUpdateTimestamp: r.lastUpdateTimestamp }));
  const human = [
    table(ctx.style, ['BROKER', 'QUEUE', 'MIN OFFSET', 'MAX OFFSET', 'LAST UPDATED'], queues.map((q) => [q.brokerName, q.queueId, q.minOffset, q.maxOffset, formatTime(q.lastUpdateTimestamp)])),
    '',
    keyValues(ctx.style, [['queues', queues.length], ['messages held', messages], ['last updated', formatTime(last)]]),
  ].join('\n');
  return { code: ExitCode.OK, json: { topic, queues, totals: { queues: queues.length, messages, lastUpdateTimestamp: last } }, human };
}
