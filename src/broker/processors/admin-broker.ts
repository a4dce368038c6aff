/**
 * Broker-level admin requests (broker/processor/AdminBrokerProcessor.java,
 * 4.9.8): GET_BROKER_RUNTIME_INFO (28), GET_BROKER_CONFIG (26) and
 * UPDATE_BROKER_CONFIG (25).
 *
 * UPDATE_BROKER_CONFIG applies, at run time and until the next start, the
 * broker keys the request processors read on every request (RUNTIME_KEYS:
 * permission, polling, pull size, trace flag, SQL92 switch, region). Like
 * Java it ignores unknown keys; any other changed key is refused with
 * SYSTEM_ERROR naming it (it needs a restart with a new config file).
 */
import { decodeStoredMessage, getErrorMessage } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { MQVersion, ResponseCode, createResponseFor } from '../../protocol/index.js';
import { diskUsageRatio } from '../../store/index.js';
import type { BrokerContext } from '../broker-context.js';
import { GetBrokerConfigResponseHeader, success } from './admin-support.js';

/** AdminBrokerProcessor.initConfigBlackList (the default BrokerConfig.configBlackList). */
const CONFIG_BLACK_LIST = new Set(['brokerConfigPath', 'rocketmqHome', 'configBlackList']);

/** What GET_BROKER_RUNTIME_INFO remembers between calls (started by registerAdminProcessors). */
export interface RuntimeInfoState {
  readonly bootTimestamp: number;
  /** Messages in all consume queues at boot: puts since boot = now − this. */
  readonly putBaseline: number;
  lastSample: { readonly at: number; readonly puts: number };
}

/** Sum of the max offsets of every consume queue: messages ever dispatched and still indexed by a queue. */
function dispatchedMessages(ctx: BrokerContext): number {
  let n = 0;
  for (const topic of ctx.store.topics()) for (const q of ctx.store.queueIds(topic)) n += ctx.store.getMaxOffsetInQueue(topic, q);
  return n;
}

export function startRuntimeInfo(ctx: BrokerContext): RuntimeInfoState {
  const now = ctx.clock.now();
  const puts = dispatchedMessages(ctx);
  return { bootTimestamp: now, putBaseline: puts, lastSample: { at: now, puts } };
}

/** StoreStatsService.getFormatRuntime. */
function formatRuntime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `[ ${Math.floor(s / 86400)} days, ${Math.floor((s % 86400) / 3600)} hours, ${Math.floor((s % 3600) / 60)} minutes, ${s % 60} seconds ]`;
}

/**
 * The runtime KVTable (prepareRuntimeInfo + DefaultMessageStore.getRuntimeInfo),
 * limited to values OrbitMQ really has: version, commit-log offsets, disk
 * ratios, earliest message time, boot time, puts since boot and the put rate
 * since the previous call (the same figure in all three TPS windows). Keys
 * Java fills from statistics OrbitMQ does not keep (msgGet*, get TPS,
 * thread-pool queues, latency histograms) are left out rather than faked;
 * the Morning counters are 0 as in a Java broker before its first midnight.
 */
export function buildRuntimeInfo(ctx: BrokerContext, state: RuntimeInfoState): Record<string, string> {
  const now = ctx.clock.now();
  const puts = dispatchedMessages(ctx);
  const elapsedSec = (now - state.lastSample.at) / 1000;
  const tps = elapsedSec > 0 ? Math.max(0, puts - state.lastSample.puts) / elapsedSec : 0;
  state.lastSample = { at: now, puts };
  let diskRatio = -1;
  try {
    diskRatio = diskUsageRatio(ctx.store.config.storePathRootDir);
  } catch (err: unknown) {
    ctx.logger.warn('cannot read store disk usage', { error: getErrorMessage(err) });
  }
  const minPhy = ctx.store.minPhyOffset;
  const first = ctx.store.lookMessageByOffset(minPhy);
  const table: Record<string, string> = {
    brokerVersionDesc: 'V4_9_8',
    brokerVersion: String(MQVersion.V4_9_8),
    bootTimestamp: String(state.bootTimestamp),
    runtime: formatRuntime(now - state.bootTimestamp),
    msgPutTotalYesterdayMorning: '0',
    msgPutTotalTodayMorning: '0',
    msgPutTotalTodayNow: String(Math.max(0, puts - state.putBaseline)),
    putTps: [tps, tps, tps].map((x) => x.toFixed(2)).join(' '),
    commitLogMinOffset: String(minPhy),
    commitLogMaxOffset: String(ctx.store.maxPhyOffset),
    commitLogDiskRatio: String(diskRatio),
    consumeQueueDiskRatio: String(diskRatio),
    earliestMessageTimeStamp: String(first === undefined ? -1 : decodeStoredMessage(first).storeTimestamp),
    sendThreadPoolQueueSize: '0',
    pullThreadPoolQueueSize: '0',
  };
  return table;
}

/** GET_BROKER_RUNTIME_INFO (28): KVTable `{"table":{...}}`. */
export function handleGetBrokerRuntimeInfo(ctx: BrokerContext, state: RuntimeInfoState, request: RemotingCommand): RemotingCommand {
  return success(request, { table: buildRuntimeInfo(ctx, state) });
}

type ConfigValue = string | number | boolean;

/** Broker then store config as `key → value` (Configuration.getAllConfigs, minus the netty configs). */
export function allConfigs(ctx: BrokerContext): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>();
  for (const src of [ctx.config, ctx.store.config]) {
    for (const [k, v] of Object.entries(src)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.set(k, v);
    }
  }
  return out;
}

/**
 * GET_BROKER_CONFIG (26): body = MixAll.properties2String (`key=value\n`),
 * header `version` = the configuration DataVersion JSON (never bumped here,
 * since nothing changes at runtime).
 */
export function handleGetBrokerConfig(ctx: BrokerContext, state: RuntimeInfoState, request: RemotingCommand): RemotingCommand {
  let text = '';
  for (const [k, v] of allConfigs(ctx)) text += `${k}=${String(v)}\n`;
  const version = JSON.stringify({ counter: 0, timestamp: state.bootTimestamp });
  return createResponseFor(request, ResponseCode.SUCCESS, undefined, {
    extFields: GetBrokerConfigResponseHeader.encode({ version }),
    body: Buffer.from(text, 'utf8'),
  });
}

/** MixAll.string2Properties, reduced to what properties2String writes: `key=value` / `key:value` lines, `#`/`!` comments. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trimStart();
    if (line.length === 0 || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m?.[1] !== undefined) out.set(m[1], m[2] ?? '');
    else out.set(line, '');
  }
  return out;
}

/** UPDATE_BROKER_CONFIG (25): see the module comment. */
export function handleUpdateBrokerConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  if (request.body === undefined || request.body.length === 0) return success(request);
  const props = parseProperties(request.body.toString('utf8'));
  for (const k of props.keys()) {
    if (CONFIG_BLACK_LIST.has(k)) return createResponseFor(request, ResponseCode.NO_PERMISSION, 'Can not update config in black list.');
  }
  const current = allConfigs(ctx);
  const needRestart: string[] = [];
  const ignored: string[] = [];
  const runtime: Record<string, string> = {};
  for (const [k, v] of props) {
    const cur = current.get(k);
    if (cur === undefined) ignored.push(k);
    else if (String(cur) === v.trim()) continue;
    else if (RUNTIME_KEYS.has(k)) runtime[k] = v.trim();
    else needRestart.push(k);
  }
  if (ignored.length > 0) ctx.logger.warn('updateBrokerConfig ignored unknown keys', { keys: ignored });
  if (needRestart.length > 0) {
    return createResponseFor(request, ResponseCode.SYSTEM_ERROR,
      `can not update [${needRestart.join(', ')}] at runtime: change it in the config file and restart`);
  }
  if (Object.keys(runtime).length > 0) {
    try {
      ctx.updateConfig(runtime);
    } catch (err: unknown) {
      return createResponseFor(request, ResponseCode.SYSTEM_ERROR, getErrorMessage(err));
    }
    ctx.logger.info('broker config updated at runtime', { keys: Object.keys(runtime) });
  }
  return success(request);
}

/** Broker keys read on every request, so a change applies at once. */
const RUNTIME_KEYS = new Set([
  'brokerPermission', 'longPollingEnable', 'shortPollingTimeMills', 'traceOn', 'maxPullBytes', 'enablePropertyFilter', 'regionId',
]);
