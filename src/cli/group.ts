/** `orbit group create|list|progress` and `orbit consumer connections`. */
import { NotFoundError } from '../common/index.js';
import { DEFAULT_GROUP_CONFIG, type Connection, type GroupConfig, type QueueProgress } from '../client/admin/index.js';
import { masters, type TargetFlags } from './brokers.js';
import { UsageError, formatTime, intFlag, keyValues, ok, table, type CliContext, type CommandResult } from './output.js';

export interface GroupCreateFlags extends TargetFlags {
  readonly group: string;
  readonly retryMaxTimes?: string;
  readonly retryQueues?: string;
  readonly broadcast?: boolean;
  readonly consume?: boolean;
}

function checkGroup(group: string): void {
  if (!/^[%|a-zA-Z0-9_-]{1,255}$/.test(group)) throw new UsageError(`bad group name "${group}": use 1-255 characters of [%|a-zA-Z0-9_-]`);
}

export async function groupCreate(ctx: CliContext, f: GroupCreateFlags): Promise<CommandResult> {
  checkGroup(f.group);
  const cfg: GroupConfig = {
    ...DEFAULT_GROUP_CONFIG,
    groupName: f.group,
    retryMaxTimes: intFlag('--retry-max-times', f.retryMaxTimes, DEFAULT_GROUP_CONFIG.retryMaxTimes, -1, 1000),
    retryQueueNums: intFlag('--retry-queues', f.retryQueues, DEFAULT_GROUP_CONFIG.retryQueueNums, 0, 1024),
    consumeBroadcastEnable: f.broadcast ?? true,
    consumeEnable: f.consume ?? true,
  };
  const targets = await masters(ctx.admin, f);
  for (const t of targets) await ctx.admin.createGroup(t.addr, cfg);
  const human = `group ${ctx.style.bold(f.group)} created or updated on ${targets.map((t) => `${t.brokerName || t.addr}`).join(', ')}`;
  return ok({ group: f.group, config: cfg, brokers: targets }, human);
}

const SYSTEM_GROUPS = /^(TOOLS_CONSUMER|FILTERSRV_CONSUMER|SELF_TEST_C_GROUP|CID_ONS-HTTP-PROXY|CID_ONSAPI_PERMISSION|CID_ONSAPI_OWNER|CID_ONSAPI_PULL|CID_RMQ_SYS_.*|__MONITOR_CONSUMER|SCHEDULE_CONSUMER|.*_SYS_.*)$/;

export async function groupList(ctx: CliContext, f: TargetFlags & { system?: boolean }): Promise<CommandResult> {
  const targets = await masters(ctx.admin, f);
  const byName = new Map<string, { config: GroupConfig; brokers: string[] }>();
  for (const t of targets) {
    for (const g of await ctx.admin.groups(t.addr)) {
      const e = byName.get(g.groupName) ?? { config: g, brokers: [] };
      e.brokers.push(t.brokerName || t.addr);
      byName.set(g.groupName, e);
    }
  }
  const groups = [...byName.values()]
    .filter((g) => f.system === true || !SYSTEM_GROUPS.test(g.config.groupName))
    .sort((a, b) => (a.config.groupName < b.config.groupName ? -1 : 1));
  const rows = groups.map((g) => [g.config.groupName, g.brokers.join(','), g.config.consumeEnable, g.config.consumeBroadcastEnable, g.config.retryQueueNums, g.config.retryMaxTimes]);
  const human = groups.length === 0 ? ctx.style.dim('(no groups)') : table(ctx.style, ['GROUP', 'BROKERS', 'CONSUME', 'BROADCAST', 'RETRY QUEUES', 'RETRY MAX'], rows);
  return ok({ groups: groups.map((g) => ({ ...g.config, brokers: g.brokers })) }, human);
}

export async function groupProgress(ctx: CliContext, f: { group: string; topic?: string }): Promise<CommandResult> {
  checkGroup(f.group);
  const targets = f.topic === undefined ? await masters(ctx.admin) : (await ctx.admin.topicMasters(f.topic)).map((b) => ({ ...b, cluster: '' }));
  const queues: QueueProgress[] = [];
  let tps = 0;
  for (const t of targets) {
    const s = await ctx.admin.consumeStats(t.addr, f.group, f.topic);
    queues.push(...s.queues);
    tps += s.consumeTps;
  }
  if (queues.length === 0) {
    throw new NotFoundError(`consumer group ${f.group} has no consume progress${f.topic === undefined ? '' : ` on topic ${f.topic}`} on any broker`);
  }
  queues.sort((a, b) => a.queue.topic.localeCompare(b.queue.topic) || a.queue.brokerName.localeCompare(b.queue.brokerName) || a.queue.queueId - b.queue.queueId);
  const rows = queues.map((q) => ({
    topic: q.queue.topic, brokerName: q.queue.brokerName, queueId: q.queue.queueId,
    brokerOffset: q.brokerOffset, consumerOffset: q.consumerOffset, lag: Math.max(0, q.brokerOffset - q.consumerOffset), lastTimestamp: q.lastTimestamp,
  }));
  const totalLag = rows.reduce((n, r) => n + r.lag, 0);
  const last = rows.reduce((m, r) => Math.max(m, r.lastTimestamp), 0);
  const lagText = (n: number): string => (n === 0 ? ctx.style.green('0') : ctx.style.yellow(String(n)));
  const human = [
    table(ctx.style, ['TOPIC', 'BROKER', 'QUEUE', 'BROKER OFFSET', 'CONSUMER OFFSET', 'LAG', 'LAST CONSUMED'],
      rows.map((r) => [r.topic, r.brokerName, r.queueId, r.brokerOffset, r.consumerOffset, r.lag, formatTime(r.lastTimestamp)])),
    '',
    keyValues(ctx.style, [['group', f.group], ['queues', rows.length], ['total lag', lagText(totalLag)], ['consume tps', tps.toFixed(2)], ['last consumed', formatTime(last)]]),
  ].join('\n');
  return ok({ group: f.group, queues: rows, totals: { queues: rows.length, lag: totalLag, consumeTps: tps, lastTimestamp: last } }, human);
}

export async function consumerConnections(ctx: CliContext, f: { group: string }): Promise<CommandResult> {
  checkGroup(f.group);
  const targets = await masters(ctx.admin);
  const byClient = new Map<string, Connection>();
  const subscriptions: Record<string, string> = {};
  let meta: { consumeType: string; messageModel: string; consumeFromWhere: string } | undefined;
  for (const t of targets) {
    const c = await ctx.admin.consumerConnection(t.addr, f.group);
    if (c === undefined) continue;
    for (const conn of c.connections) byClient.set(conn.clientId, conn);
    Object.assign(subscriptions, c.subscriptions);
    meta ??= { consumeType: c.consumeType, messageModel: c.messageModel, consumeFromWhere: c.consumeFromWhere };
  }
  if (meta === undefined || byClient.size === 0) throw new NotFoundError(`consumer group ${f.group} is not online on any broker`);
  const connections = [...byClient.values()].sort((a, b) => a.clientId.localeCompare(b.clientId));
  const human = [
    table(ctx.style, ['CLIENT ID', 'ADDRESS', 'LANGUAGE', 'VERSION'], connections.map((c) => [c.clientId, c.clientAddr, c.language, c.version])),
    '',
    keyValues(ctx.style, [['consume type', meta.consumeType], ['message model', meta.messageModel], ['consume from', meta.consumeFromWhere]]),
    '',
    table(ctx.style, ['TOPIC', 'SUBSCRIPTION'], Object.entries(subscriptions).sort().map(([t, s]) => [t, s])),
  ].join('\n');
  return ok({ group: f.group, connections, subscriptions, ...meta }, human);
}
