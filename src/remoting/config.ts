import { InvalidArgumentError } from '../common/index.js';
import { DEFAULT_MAX_FRAME_BYTES, SerializeType } from '../protocol/index.js';

/** RemotingServer settings (cf. Java NettyServerConfig). */
export interface RemotingServerConfig {
  /** Bind address; loopback by default. */
  readonly host: string;
  /** `listenPort`; 0 picks a free port (see `address()`). */
  readonly port: number;
  /** NettyDecoder frameMaxLength. */
  readonly maxFrameBytes: number;
  /** Close a channel with no traffic either way for this long (serverChannelMaxIdleTimeSeconds = 120). 0 disables. */
  readonly idleTimeoutMs: number;
  /** Drop a peer whose write buffer stays full this long. */
  readonly drainTimeoutMs: number;
  /** Serialisation of server-initiated requests before the peer has sent one. */
  readonly serializeType: SerializeType;
  /** Refuse connections beyond this many; 0 = unlimited. */
  readonly maxConnections: number;
  /** Default `close()` grace period. */
  readonly closeGraceMs: number;
}

export const DEFAULT_REMOTING_SERVER_CONFIG: Readonly<RemotingServerConfig> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  idleTimeoutMs: 120_000,
  drainTimeoutMs: 30_000,
  serializeType: SerializeType.JSON,
  maxConnections: 0,
  closeGraceMs: 5_000,
});

/** RemotingClient settings (cf. Java NettyClientConfig). */
export interface RemotingClientConfig {
  /** connectTimeoutMillis (Java default 3000). */
  readonly connectTimeoutMs: number;
  /** Serialisation of requests this client sends (Java default JSON). */
  readonly serializeType: SerializeType;
  readonly maxFrameBytes: number;
  readonly drainTimeoutMs: number;
  /** Close a connection with no traffic for this long (clientChannelMaxIdleTimeSeconds = 120). 0 disables. */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_REMOTING_CLIENT_CONFIG: Readonly<RemotingClientConfig> = Object.freeze({
  connectTimeoutMs: 3_000,
  serializeType: SerializeType.JSON,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  drainTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
});

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
}

function checkSerializeType(v: number): void {
  if (v !== SerializeType.JSON && v !== SerializeType.ROCKETMQ) {
    throw new InvalidArgumentError(`serializeType must be 0 (JSON) or 1 (ROCKETMQ), got ${v}`);
  }
}

const MAX_TIMER_MS = 2_147_483_647;

export function resolveRemotingServerConfig(partial: Partial<RemotingServerConfig> = {}): Readonly<RemotingServerConfig> {
  const c: RemotingServerConfig = { ...DEFAULT_REMOTING_SERVER_CONFIG, ...partial };
  if (typeof c.host !== 'string' || c.host.length === 0) throw new InvalidArgumentError('host must be a non-empty string');
  checkInt('port', c.port, 0, 65535);
  checkInt('maxFrameBytes', c.maxFrameBytes, 8, 0x7fffffff);
  checkInt('idleTimeoutMs', c.idleTimeoutMs, 0, MAX_TIMER_MS);
  checkInt('drainTimeoutMs', c.drainTimeoutMs, 1, MAX_TIMER_MS);
  checkInt('maxConnections', c.maxConnections, 0, 0x7fffffff);
  checkInt('closeGraceMs', c.closeGraceMs, 0, MAX_TIMER_MS);
  checkSerializeType(c.serializeType);
  return Object.freeze(c);
}

export function resolveRemotingClientConfig(partial: Partial<RemotingClientConfig> = {}): Readonly<RemotingClientConfig> {
  const c: RemotingClientConfig = { ...DEFAULT_REMOTING_CLIENT_CONFIG, ...partial };
  checkInt('connectTimeoutMs', c.connectTimeoutMs, 1, MAX_TIMER_MS);
  checkInt('maxFrameBytes', c.maxFrameBytes, 8, 0x7fffffff);
  checkInt('drainTimeoutMs', c.drainTimeoutMs, 1, MAX_TIMER_MS);
  checkInt('idleTimeoutMs', c.idleTimeoutMs, 0, MAX_TIMER_MS);
  checkSerializeType(c.serializeType);
  return Object.freeze(c);
}
