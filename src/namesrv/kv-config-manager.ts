import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { OrbitError, getErrorMessage, noopLogger, type Logger } from '../common/index.js';
import { parseRocketMQJson, type JsonValue } from '../protocol/index.js';

export interface KVConfigManagerOptions {
  /**
   * File to persist to (NamesrvConfig.kvConfigPath); '' keeps everything in
   * memory only. Written as KVConfigSerializeWrapper JSON
   * `{"configTable":{namespace:{key:value}}}`, via temp file + fsync + rename.
   */
  readonly path?: string;
  readonly logger?: Logger;
}

/**
 * namesrv/…/kvconfig/KVConfigManager.java: namespace → key → value, used for
 * ORDER_TOPIC_CONFIG and by admin tools (PUT/GET/DELETE_KV_CONFIG,
 * GET_KVLIST_BY_NAMESPACE).
 */
export class KVConfigManager {
  private readonly configTable = new Map<string, Map<string, string>>();
  private readonly path: string;
  private readonly logger: Logger;

  constructor(options: KVConfigManagerOptions = {}) {
    this.path = options.path ?? '';
    this.logger = (options.logger ?? noopLogger).child({ component: 'namesrv.kvconfig' });
  }

  /** Loads the file if configured and present. Throws when it is unreadable or malformed. */
  load(): void {
    if (this.path === '' || !existsSync(this.path)) return;
    let root: JsonValue;
    try {
      root = parseRocketMQJson(readFileSync(this.path, 'utf8'));
    } catch (err: unknown) {
      throw new OrbitError('KV_CONFIG_LOAD', `cannot load kv config ${this.path}: ${getErrorMessage(err)}`, { cause: err });
    }
    const table = isObject(root) ? root.configTable : undefined;
    if (table === undefined || table === null) return;
    if (!isObject(table)) throw new OrbitError('KV_CONFIG_LOAD', `${this.path}: configTable is not an object`);
    for (const [ns, kv] of Object.entries(table)) {
      if (!isObject(kv)) throw new OrbitError('KV_CONFIG_LOAD', `${this.path}: namespace ${ns} is not an object`);
      const map = new Map<string, string>();
      for (const [k, v] of Object.entries(kv)) {
        if (typeof v !== 'string') throw new OrbitError('KV_CONFIG_LOAD', `${this.path}: ${ns}.${k} is not a string`);
        map.set(k, v);
      }
      this.configTable.set(ns, map);
    }
    this.logger.info('kv config loaded', { path: this.path, namespaces: this.configTable.size });
  }

  putKVConfig(namespace: string, key: string, value: string): void {
    let kv = this.configTable.get(namespace);
    if (kv === undefined) {
      kv = new Map();
      this.configTable.set(namespace, kv);
    }
    const prev = kv.get(key);
    kv.set(key, value);
    this.logger.info(prev === undefined ? 'putKVConfig create' : 'putKVConfig update', { namespace, key });
    this.persist();
  }

  deleteKVConfig(namespace: string, key: string): void {
    const kv = this.configTable.get(namespace);
    if (kv?.delete(key) === true) {
      this.logger.info('deleteKVConfig', { namespace, key });
      this.persist();
    }
  }

  getKVConfig(namespace: string, key: string): string | undefined {
    return this.configTable.get(namespace)?.get(key);
  }

  /** undefined when the namespace was never written (Java returns null). */
  getKVListByNamespace(namespace: string): Map<string, string> | undefined {
    const kv = this.configTable.get(namespace);
    return kv === undefined ? undefined : new Map(kv);
  }

  private persist(): void {
    if (this.path === '') return;
    const out: Record<string, Record<string, string>> = Object.create(null) as Record<string, Record<string, string>>;
    for (const [ns, kv] of this.configTable) {
      const o = Object.create(null) as Record<string, string>;
      for (const [k, v] of kv) o[k] = v;
      out[ns] = o;
    }
    writeFileAtomicSync(this.path, JSON.stringify({ configTable: out }, null, 2));
  }
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** temp file, fsync, rename (MixAll.string2File keeps a .bak too; we rely on rename's atomicity). */
function writeFileAtomicSync(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
