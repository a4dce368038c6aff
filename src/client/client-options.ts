/**
 * Options shared by every OrbitMQ client (producers, consumers), resolved and
 * validated once. Mirrors the Java `ClientConfig` (namesrvAddr, instanceName,
 * clientIP, pollNameServerInterval, heartbeatBrokerInterval).
 */
import { networkInterfaces } from 'node:os';
import { InvalidArgumentError, noopLogger, systemClock, type Clock, type Logger } from '../common/index.js';
import { SerializeType } from '../protocol/index.js';
import { resolveRemotingClientConfig, type RemotingClientConfig } from '../remoting/index.js';

/** What a user passes to `new Producer(...)` (and later consumers). */
export interface ClientOptions {
  /** Name servers: `"host:port"`, `"a:9876;b:9876"` (Java's `;` separator) or an array. */
  readonly namesrvAddr: string | readonly string[];
  /**
   * Names this client within its process. `DEFAULT` (the default) becomes
   * `${pid}#${hrtime}` as in the Java client, so every producer/consumer gets
   * its own client id unless you give them the same explicit name.
   */
  readonly instanceName?: string;
  /** IP reported to brokers and put into message ids; default: first non-internal IPv4, else 127.0.0.1. */
  readonly clientIP?: string;
  /** Timeout of administrative requests (route lookups, heartbeats, offsets). Default 3000. */
  readonly requestTimeoutMs?: number;
  /** Route refresh period (Java `pollNameServerInterval`). Default 30000. */
  readonly pollNameServerIntervalMs?: number;
  /** Heartbeat period to every broker in the routes (Java `heartbeatBrokerInterval`). Default 30000. */
  readonly heartbeatBrokerIntervalMs?: number;
  /** Structured logger; the default drops everything. */
  readonly logger?: Logger;
  /** Low-level connection settings (connect timeout, serialisation, ...). */
  readonly remoting?: Partial<RemotingClientConfig>;
  /** Time source (tests). */
  readonly clock?: Clock;
}

/** ClientOptions after defaults and validation. */
export interface ResolvedClientOptions {
  readonly namesrvAddrs: readonly string[];
  readonly instanceName: string;
  readonly clientIP: string;
  /** `${clientIP}@${instanceName}` — how brokers know this client. */
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  readonly pollNameServerIntervalMs: number;
  readonly heartbeatBrokerIntervalMs: number;
  readonly logger: Logger;
  readonly remoting: Readonly<RemotingClientConfig>;
  readonly clock: Clock;
}

export const DEFAULT_INSTANCE_NAME = 'DEFAULT';
const MAX_TIMER_MS = 2_147_483_647;

/** The first non-internal IPv4 address of this host, else 127.0.0.1. */
export function defaultClientIP(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) {
      if (ni.family === 'IPv4' && !ni.internal) return ni.address;
    }
  }
  return '127.0.0.1';
}

function checkMs(name: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > MAX_TIMER_MS) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${MAX_TIMER_MS}] ms, got ${String(v)}`);
  }
  return v;
}

/** Splits and checks the name server list. */
export function parseNamesrvAddr(addr: string | readonly string[]): string[] {
  const parts = (typeof addr === 'string' ? addr.split(';') : [...addr]).map((a) => a.trim()).filter((a) => a.length > 0);
  if (parts.length === 0) throw new InvalidArgumentError('namesrvAddr is empty');
  for (const p of parts) {
    const i = p.lastIndexOf(':');
    const port = Number(p.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new InvalidArgumentError(`bad name server address "${p}", expected host:port`);
    }
  }
  return parts;
}

/** Applies defaults and validates; throws InvalidArgumentError. */
export function resolveClientOptions(o: ClientOptions): ResolvedClientOptions {
  if (typeof o !== 'object' || o === null) throw new InvalidArgumentError('client options are required');
  const namesrvAddrs = parseNamesrvAddr(o.namesrvAddr);
  let instanceName = o.instanceName ?? DEFAULT_INSTANCE_NAME;
  if (typeof instanceName !== 'string' || instanceName.length === 0 || instanceName.includes('@')) {
    throw new InvalidArgumentError('instanceName must be a non-empty string without "@"');
  }
  if (instanceName === DEFAULT_INSTANCE_NAME) instanceName = `${process.pid}#${process.hrtime.bigint()}`;
  const clientIP = o.clientIP ?? defaultClientIP();
  if (typeof clientIP !== 'string' || clientIP.length === 0) throw new InvalidArgumentError('clientIP must be a non-empty string');
  return Object.freeze({
    namesrvAddrs: Object.freeze(namesrvAddrs),
    instanceName,
    clientIP,
    clientId: `${clientIP}@${instanceName}`,
    requestTimeoutMs: checkMs('requestTimeoutMs', o.requestTimeoutMs ?? 3_000, 1),
    pollNameServerIntervalMs: checkMs('pollNameServerIntervalMs', o.pollNameServerIntervalMs ?? 30_000, 10),
    heartbeatBrokerIntervalMs: checkMs('heartbeatBrokerIntervalMs', o.heartbeatBrokerIntervalMs ?? 30_000, 10),
    logger: o.logger ?? noopLogger,
    // The binary ROCKETMQ header is cheaper to write and read than JSON; both
    // OrbitMQ and Apache RocketMQ brokers answer in the serialisation asked in.
    remoting: resolveRemotingClientConfig({ serializeType: SerializeType.ROCKETMQ, ...o.remoting }),
    clock: o.clock ?? systemClock,
  });
}

/** Checks a non-negative integer option; returns it. */
export function checkIntOption(name: string, v: number, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}
