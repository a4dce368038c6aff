import { InvalidArgumentError } from '../common/index.js';

/**
 * Name-server settings (namesrv/…/NamesrvConfig.java + NettyServerConfig).
 * RocketMQ key names are kept where they exist.
 */
export interface NamesrvConfig {
  /** Bind address. */
  readonly host: string;
  /** `listenPort`; 0 picks a free port (see `NamesrvServer.address()`). */
  readonly listenPort: number;
  /** A broker silent this long is evicted (RouteInfoManager BROKER_CHANNEL_EXPIRED_TIME). */
  readonly brokerChannelExpiredTime: number;
  /** Period of the scanNotActiveBroker task. */
  readonly scanIntervalMs: number;
  /** `orderMessageEnable`: add `orderTopicConf` from KV namespace ORDER_TOPIC_CONFIG to routes. */
  readonly orderMessageEnable: boolean;
  /** `kvConfigPath`; '' keeps KV config in memory only. */
  readonly kvConfigPath: string;
  /** Close channels idle this long (`serverChannelMaxIdleTimeSeconds` × 1000); 0 disables. */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_NAMESRV_CONFIG: Readonly<NamesrvConfig> = Object.freeze({
  host: '127.0.0.1',
  listenPort: 9876,
  brokerChannelExpiredTime: 120_000,
  scanIntervalMs: 5_000,
  orderMessageEnable: false,
  kvConfigPath: '',
  idleTimeoutMs: 120_000,
});

const MAX_TIMER_MS = 2_147_483_647;

function checkInt(name: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
}

/** Defaults + `partial`, validated; throws InvalidArgumentError naming the bad key. */
export function resolveNamesrvConfig(partial: Partial<NamesrvConfig> = {}): Readonly<NamesrvConfig> {
  const c: NamesrvConfig = { ...DEFAULT_NAMESRV_CONFIG, ...partial };
  if (typeof c.host !== 'string' || c.host.length === 0) throw new InvalidArgumentError('host must be a non-empty string');
  checkInt('listenPort', c.listenPort, 0, 65535);
  checkInt('brokerChannelExpiredTime', c.brokerChannelExpiredTime, 1, Number.MAX_SAFE_INTEGER);
  checkInt('scanIntervalMs', c.scanIntervalMs, 1, MAX_TIMER_MS);
  checkInt('idleTimeoutMs', c.idleTimeoutMs, 0, MAX_TIMER_MS);
  if (typeof c.orderMessageEnable !== 'boolean') throw new InvalidArgumentError('orderMessageEnable must be a boolean');
  if (typeof c.kvConfigPath !== 'string') throw new InvalidArgumentError('kvConfigPath must be a string');
  return Object.freeze(c);
}

/** Configuration.getAllConfigsFormatString: `key=value` lines (GET_NAMESRV_CONFIG body). */
export function formatNamesrvConfig(c: Readonly<NamesrvConfig>): string {
  return Object.entries(c).map(([k, v]) => `${k}=${String(v)}\n`).join('');
}
