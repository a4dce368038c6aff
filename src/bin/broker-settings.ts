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
  'waitTimeMillsInSendQueue', 'osPageCacheBusyTimeOutMills', 'aclEnable',
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

/** One problem `orbit broker --check-config` reports. */
export interface ConfigProblem {
  readonly key: string;
  /** 1-based line in the file, when known. */
  readonly line: number | undefined;
  readonly kind: 'unknown-key' | 'invalid-value' | 'duplicate-key' | 'inconsistent';
  readonly message: string;
}

export interface ConfigCheck {
  readonly path: string;
  readonly keys: number;
  readonly problems: readonly ConfigProblem[];
  /** RocketMQ keys accepted but not used by OrbitMQ. */
  readonly ignoredKeys: readonly string[];
}

/**
 * Validates a broker.conf without starting anything: every unknown key, every
 * duplicate, every value of the wrong type or out of range (each key checked
 * on its own so all are reported), then the file as a whole. Throws only when
 * the file cannot be read.
 */
export function checkConfigFile(path: string): ConfigCheck {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err: unknown) {
    throw new InvalidArgumentError(`cannot read config file ${path}: ${getErrorMessage(err)}`);
  }
  const lines = parseProperties(text);
  const problems: ConfigProblem[] = [];
  const ignoredKeys: string[] = [];
  const seen = new Map<string, number>();
  const brokerDefaults: Readonly<Record<string, unknown>> = DEFAULT_BROKER_CONFIG;
  const storeDefaults: Readonly<Record<string, unknown>> = DEFAULT_MESSAGE_STORE_CONFIG;
  const valid: Settings = {};
  for (const p of lines) {
    const prev = seen.get(p.key);
    if (prev !== undefined) problems.push({ key: p.key, line: p.line, kind: 'duplicate-key', message: `${p.key} is set again (first on line ${prev}); the last value wins` });
    seen.set(p.key, p.line);
    const inBroker = p.key in brokerDefaults;
    if (!inBroker && !(p.key in storeDefaults)) {
      if (IGNORED_KEYS.has(p.key)) ignoredKeys.push(p.key);
      else problems.push({ key: p.key, line: p.line, kind: 'unknown-key', message: `unknown key ${p.key}${suggest(p.key)}` });
      continue;
    }
    try {
      const v = typed(p.key, p.value, inBroker ? brokerDefaults[p.key] : storeDefaults[p.key]);
      if (inBroker) resolveBrokerConfig({ [p.key]: v } as Partial<BrokerConfig>);
      else resolveMessageStoreConfig({ [p.key]: v } as Partial<MessageStoreConfig>);
      valid[p.key] = p.value;
    } catch (err: unknown) {
      problems.push({ key: p.key, line: p.line, kind: 'invalid-value', message: getErrorMessage(err) });
    }
  }
  if (!problems.some((p) => p.kind === 'invalid-value')) {
    try {
      resolveBrokerSettings(valid);
    } catch (err: unknown) {
      problems.push({ key: '*', line: undefined, kind: 'inconsistent', message: getErrorMessage(err) });
    }
  }
  return { path, keys: lines.length, problems, ignoredKeys };
}

/** ` (did you mean X?)` for a known key a small edit away (case or one typo). */
function suggest(key: string): string {
  const lower = key.toLowerCase();
  const near = KNOWN_KEYS.find((k) => k.toLowerCase() === lower) ?? KNOWN_KEYS.find((k) => editDistance(k.toLowerCase(), lower) <= 2);
  return near === undefined ? '' : ` (did you mean ${near}?)`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
