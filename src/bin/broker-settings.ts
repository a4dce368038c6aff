/**
 * Turns broker.conf properties, ORBIT_* environment variables and flags into
 * resolved BrokerConfig + MessageStoreConfig. RocketMQ's key names are taken
 * as they are; values are typed by the default's type. Unknown keys are
 * reported (not fatal); bad values stop start-up naming the key.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, getErrorMessage } from '../common/index.js';
import type { BrokerConfig } from '../broker/broker-config.js';
import { DEFAULT_BROKER_CONFIG, resolveBrokerConfig } from '../broker/broker-config.js';
import type { MessageStoreConfig } from '../store/index.js';
import { DEFAULT_MESSAGE_STORE_CONFIG, resolveMessageStoreConfig } from '../store/index.js';
import { parseProperties } from './properties.js';

export type Settings = Record<string, string>;

/** RocketMQ keys that OrbitMQ accepts but does not use (no warning for them). */
const IGNORED_KEYS = new Set([
  'brokerIP2', 'haListenPort', 'sendMessageThreadPoolNums', 'pullMessageThreadPoolNums', 'useReentrantLockWhenPutMessage',
  'transientStorePoolEnable', 'warmMapedFileEnable', 'storePathCommitLog', 'storePathConsumeQueue', 'mapedFileSizeConsumeQueue',
  'waitTimeMillsInSendQueue', 'osPageCacheBusyTimeOutMills', 'aclEnable', 'enablePropertyFilter',
  'slaveReadEnable', 'transferMsgByHeap', 'maxTransferCountOnMessageInMemory',
]);

export interface SettingsReport {
  readonly broker: Readonly<BrokerConfig>;
  readonly store: Readonly<MessageStoreConfig>;
  /** Keys nobody knows, with where they came from. */
  readonly unknownKeys: readonly string[];
}

export function readConfigFile(path: string): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err: unknown) {
    throw new InvalidArgumentError(`cannot read config file ${path}: ${getErrorMessage(err)}`);
  }
  const out: Settings = {};
  for (const p of parseProperties(text)) out[p.key] = p.value;
  return out;
}

/** ORBIT_LISTEN_PORT → listenPort, ORBIT_FLUSH_DISK_TYPE → flushDiskType ... */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>, knownKeys: readonly string[]): Settings {
  const byUpper = new Map(knownKeys.map((k) => [k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase(), k]));
  const out: Settings = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ORBIT_') || value === undefined) continue;
    const key = byUpper.get(name.slice('ORBIT_'.length));
    if (key !== undefined) out[key] = value;
  }
  return out;
}

function typed(key: string, raw: string, sample: unknown): unknown {
  if (typeof sample === 'number') {
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`config key ${key}: "${raw}" is not a number`);
    return n;
  }
  if (typeof sample === 'boolean') {
    const v = raw.trim().toLowerCase();
    if (v !== 'true' && v !== 'false') throw new InvalidArgumentError(`config key ${key}: "${raw}" is not true or false`);
    return v === 'true';
  }
  return raw.trim();
}

export const KNOWN_KEYS: readonly string[] = [...Object.keys(DEFAULT_BROKER_CONFIG), ...Object.keys(DEFAULT_MESSAGE_STORE_CONFIG)];

/** Later layers override earlier ones (file < env < flags). */
export function resolveBrokerSettings(...layers: Settings[]): SettingsReport {
  const merged: Settings = Object.assign({}, ...layers);
  const broker: Record<string, unknown> = {};
  const store: Record<string, unknown> = {};
  const unknownKeys: string[] = [];
  const brokerDefaults: Readonly<Record<string, unknown>> = DEFAULT_BROKER_CONFIG;
  const storeDefaults: Readonly<Record<string, unknown>> = DEFAULT_MESSAGE_STORE_CONFIG;
  for (const [key, raw] of Object.entries(merged)) {
    if (key in brokerDefaults) broker[key] = typed(key, raw, brokerDefaults[key]);
    else if (key in storeDefaults) store[key] = typed(key, raw, storeDefaults[key]);
    else if (!IGNORED_KEYS.has(key)) unknownKeys.push(key);
  }
  return {
    broker: resolveBrokerConfig(broker as Partial<BrokerConfig>),
    store: resolveMessageStoreConfig(store as Partial<MessageStoreConfig>),
    unknownKeys,
  };
}
