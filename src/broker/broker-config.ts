/**
 * Broker configuration with RocketMQ's BrokerConfig key names
 * (common/BrokerConfig.java, 4.9.8). Store settings live in MessageStoreConfig.
 */
import { InvalidArgumentError } from '../common/index.js';

export type BrokerRole = 'ASYNC_MASTER' | 'SYNC_MASTER' | 'SLAVE';

export interface BrokerConfig {
  readonly brokerClusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  /** The address clients are told to use (and stored in messages). */
  readonly brokerIP1: string;
  /** Bind address of the remoting server. */
  readonly listenHost: string;
  readonly listenPort: number;
  /** Name servers, `host:port` separated by ';'. Empty: register nowhere. */
  readonly namesrvAddr: string;
  readonly brokerRole: BrokerRole;
  readonly autoCreateTopicEnable: boolean;
  readonly autoCreateSubscriptionGroup: boolean;
  readonly defaultTopicQueueNums: number;
  readonly brokerPermission: number;
  readonly registerBrokerIntervalMs: number;
  readonly registerBrokerTimeoutMills: number;
  readonly longPollingEnable: boolean;
  readonly shortPollingTimeMills: number;
  readonly flushConsumerOffsetInterval: number;
  readonly regionId: string;
  readonly traceOn: boolean;
  readonly clusterTopicEnable: boolean;
  readonly brokerTopicEnable: boolean;
  /**
   * SQL92 filtering of messages by property (enablePropertyFilter). RocketMQ
   * defaults it to false; OrbitMQ to true. When false, SQL92 subscriptions are
   * refused with "The broker does not support consumer to filter message by SQL92".
   */
  readonly enablePropertyFilter: boolean;
  /** Max bytes of one pull response (maxTransferBytesOnMessageInDisk-like cap). */
  readonly maxPullBytes: number;
  /** A lock of a message queue by an orderly consumer lives this long without renewal. */
  readonly rebalanceLockMaxLiveTime: number;
  /** Clients silent for this long are dropped (channelExpiredTimeout). */
  readonly channelExpiredTimeout: number;
  /** A transaction half younger than this is not checked back yet. */
  readonly transactionTimeOut: number;
  /** Check-backs of one half before it is discarded. */
  readonly transactionCheckMax: number;
  /** Period of the transaction check task. */
  readonly transactionCheckInterval: number;
  /** Longest delay a message may ask for with a delivery time (timerMaxDelaySec; OrbitMQ allows 30 days). */
  readonly timerMaxDelaySec: number;
}

export const DEFAULT_BROKER_CONFIG: Readonly<BrokerConfig> = Object.freeze({
  brokerClusterName: 'DefaultCluster',
  brokerName: 'broker-a',
  brokerId: 0,
  brokerIP1: '127.0.0.1',
  listenHost: '127.0.0.1',
  listenPort: 10911,
  namesrvAddr: '',
  brokerRole: 'ASYNC_MASTER',
  autoCreateTopicEnable: true,
  autoCreateSubscriptionGroup: true,
  defaultTopicQueueNums: 8,
  brokerPermission: 6,
  registerBrokerIntervalMs: 30_000,
  registerBrokerTimeoutMills: 6_000,
  longPollingEnable: true,
  shortPollingTimeMills: 1_000,
  flushConsumerOffsetInterval: 5_000,
  regionId: 'DefaultRegion',
  traceOn: true,
  clusterTopicEnable: true,
  brokerTopicEnable: true,
  enablePropertyFilter: true,
  maxPullBytes: 4 * 1024 * 1024,
  rebalanceLockMaxLiveTime: 60_000,
  channelExpiredTimeout: 120_000,
  transactionTimeOut: 6_000,
  transactionCheckMax: 15,
  transactionCheckInterval: 60_000,
  timerMaxDelaySec: 30 * 86_400,
} satisfies BrokerConfig);

const NAME = /^[a-zA-Z0-9_%|-]+$/;

export function resolveBrokerConfig(partial: Partial<BrokerConfig>): Readonly<BrokerConfig> {
  const c: BrokerConfig = { ...DEFAULT_BROKER_CONFIG, ...partial };
  for (const k of ['brokerClusterName', 'brokerName'] as const) {
    if (!NAME.test(c[k])) throw new InvalidArgumentError(`${k} must match ${NAME.source}, got "${c[k]}"`);
  }
  const ints: [keyof BrokerConfig, number, number][] = [
    ['brokerId', 0, 1 << 30],
    ['listenPort', 0, 65535],
    ['defaultTopicQueueNums', 1, 1024],
    ['brokerPermission', 0, 15],
    ['registerBrokerIntervalMs', 10, 3_600_000],
    ['registerBrokerTimeoutMills', 1, 600_000],
    ['shortPollingTimeMills', 1, 600_000],
    ['flushConsumerOffsetInterval', 10, 3_600_000],
    ['maxPullBytes', 1024, 1 << 30],
    ['rebalanceLockMaxLiveTime', 1, 86_400_000],
    ['channelExpiredTimeout', 1, 86_400_000],
    ['transactionTimeOut', 0, 86_400_000],
    ['transactionCheckMax', 1, 10_000],
    ['transactionCheckInterval', 10, 86_400_000],
    ['timerMaxDelaySec', 1, 365 * 86_400],
  ];
  for (const [k, min, max] of ints) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new InvalidArgumentError(`${k} must be an integer in [${min}, ${max}], got ${String(v)}`);
    }
  }
  if (!['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'].includes(c.brokerRole)) {
    throw new InvalidArgumentError(`brokerRole must be ASYNC_MASTER, SYNC_MASTER or SLAVE, got ${c.brokerRole}`);
  }
  if ((c.brokerRole === 'SLAVE') !== (c.brokerId !== 0)) {
    throw new InvalidArgumentError('a SLAVE has brokerId > 0 and a master brokerId 0');
  }
  for (const addr of namesrvAddrList(c.namesrvAddr)) {
    if (!/^[^:\s]+:\d{1,5}$/.test(addr)) throw new InvalidArgumentError(`namesrvAddr entry "${addr}" is not host:port`);
  }
  return Object.freeze(c);
}

export function namesrvAddrList(namesrvAddr: string): string[] {
  return namesrvAddr
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
