/**
 * Topic configs of a broker (broker/topic/TopicConfigManager.java, 4.9.8):
 * persisted in config/topics.json as `{topicConfigTable, dataVersion}`, the
 * system topics created at start, and automatic creation from the TBW102
 * template (createTopicInSendMessageMethod) or for retry/DLQ topics.
 */
import { join } from 'node:path';
import type { Clock, Logger } from '../common/index.js';
import { getErrorMessage } from '../common/index.js';
import { ConfigFile } from '../store/index.js';
import type { BrokerConfig } from './broker-config.js';
import { DataVersion, type DataVersionJson } from './data-version.js';
import { asRecord, bool, isRecord, num, str } from './json-narrow.js';
import { PermName } from '../common/index.js';
import { TopicValidator } from './topic-validator.js';

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: string;
  topicSysFlag: number;
  order: boolean;
}

export function makeTopicConfig(topicName: string, queues: number, perm = PermName.PERM_READ | PermName.PERM_WRITE): TopicConfig {
  return { topicName, readQueueNums: queues, writeQueueNums: queues, perm, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false };
}

export function parseTopicConfig(u: unknown): TopicConfig {
  const o = asRecord(u, 'TopicConfig');
  return {
    topicName: str(o, 'topicName'),
    readQueueNums: num(o, 'readQueueNums', 16),
    writeQueueNums: num(o, 'writeQueueNums', 16),
    perm: num(o, 'perm', 6),
    topicFilterType: str(o, 'topicFilterType', 'SINGLE_TAG'),
    topicSysFlag: num(o, 'topicSysFlag', 0),
    order: bool(o, 'order', false),
  };
}

/** TopicConfigSerializeWrapper: what a broker registers with the name servers. */
export interface TopicConfigWrapper {
  readonly topicConfigTable: Record<string, TopicConfig>;
  readonly dataVersion: DataVersionJson;
}

interface TopicsFile {
  topicConfigTable: Record<string, TopicConfig>;
  dataVersion: unknown;
}

function parseTopicsFile(u: unknown): TopicsFile {
  const o = asRecord(u, 'topics.json');
  const table: Record<string, TopicConfig> = {};
  const raw = o.topicConfigTable;
  if (isRecord(raw)) for (const [k, v] of Object.entries(raw)) table[k] = parseTopicConfig(v);
  return { topicConfigTable: table, dataVersion: o.dataVersion };
}

export class TopicConfigManager {
  private readonly table = new Map<string, TopicConfig>();
  readonly dataVersion: DataVersion;
  private readonly file: ConfigFile<TopicsFile>;
  private readonly config: Readonly<BrokerConfig>;
  private readonly log: Logger;

  constructor(configDir: string, config: Readonly<BrokerConfig>, deps: { logger: Logger; clock: Clock }) {
    this.config = config;
    this.log = deps.logger.child({ component: 'broker.topics' });
    this.dataVersion = new DataVersion(deps.clock);
    this.file = new ConfigFile<TopicsFile>({
      path: join(configDir, 'topics.json'),
      parse: parseTopicsFile,
      snapshot: () => ({ dataVersion: this.dataVersion.toJSON(), topicConfigTable: Object.fromEntries(this.table) }),
      debounceMs: 50,
      onError: (err) => this.log.error('persisting topics failed', { error: getErrorMessage(err) }),
    });
  }

  /** Loads the persisted table and adds the system topics (TopicConfigManager constructor). */
  load(): void {
    const loaded = this.file.load();
    if (loaded !== undefined) {
      for (const [k, v] of Object.entries(loaded.value.topicConfigTable)) this.table.set(k, v);
      this.dataVersion.assign(loaded.value.dataVersion);
    }
    const system = (name: string, queues: number, perm?: number): void => {
      if (!this.table.has(name)) this.table.set(name, makeTopicConfig(name, queues, perm));
    };
    system(TopicValidator.RMQ_SYS_SELF_TEST_TOPIC, 1);
    if (this.config.autoCreateTopicEnable) {
      system(TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC, this.config.defaultTopicQueueNums, PermName.PERM_INHERIT | PermName.PERM_READ | PermName.PERM_WRITE);
    }
    system(TopicValidator.RMQ_SYS_BENCHMARK_TOPIC, 1024);
    if (this.config.clusterTopicEnable) system(this.config.brokerClusterName, 16, PermName.PERM_INHERIT | this.config.brokerPermission);
    if (this.config.brokerTopicEnable) system(this.config.brokerName, 1, PermName.PERM_INHERIT | this.config.brokerPermission);
    system(TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT, 1);
    system(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, 18);
    system(TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC, 1);
    system(TopicValidator.RMQ_SYS_TRACE_TOPIC, 1);
    // Replies of request-reply messages (TopicConfigManager, 4.9: {cluster}_REPLY_TOPIC, one queue).
    system(`${this.config.brokerClusterName}_REPLY_TOPIC`, 1);
  }

  get(topic: string): TopicConfig | undefined {
    return this.table.get(topic);
  }

  all(): TopicConfig[] {
    return [...this.table.values()];
  }

  /** Creates or replaces a topic config (UPDATE_AND_CREATE_TOPIC). */
  update(tc: TopicConfig): void {
    this.table.set(tc.topicName, tc);
    this.dataVersion.next();
    this.file.persist();
  }

  delete(topic: string): boolean {
    const had = this.table.delete(topic);
    if (had) {
      this.dataVersion.next();
      this.file.persist();
    }
    return had;
  }

  /**
   * Auto-creation on send (createTopicInSendMessageMethod): copies the
   * template's permission (minus inherit) with min(requested, template)
   * queues, only when the template exists and is inheritable. Returns the new
   * config, or undefined when not allowed.
   */
  createFromTemplate(topic: string, templateTopic: string, requestedQueues: number, topicSysFlag: number): TopicConfig | undefined {
    const existing = this.table.get(topic);
    if (existing) return existing;
    const template = this.table.get(templateTopic);
    if (template === undefined) return undefined;
    if (templateTopic === TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC && !this.config.autoCreateTopicEnable) return undefined;
    if ((template.perm & PermName.PERM_INHERIT) === 0) return undefined;
    const queues = Math.max(1, Math.min(requestedQueues, template.writeQueueNums));
    const tc: TopicConfig = {
      ...makeTopicConfig(topic, queues, template.perm & ~PermName.PERM_INHERIT),
      topicSysFlag,
    };
    this.log.info('auto-created topic', { topic, queues, template: templateTopic });
    this.update(tc);
    return tc;
  }

  /** Creates a topic the broker itself needs (retry, DLQ) if missing. */
  ensure(topic: string, queues: number, perm: number): TopicConfig {
    const existing = this.table.get(topic);
    if (existing) return existing;
    const tc = makeTopicConfig(topic, queues, perm);
    this.update(tc);
    return tc;
  }

  /** The TopicConfigSerializeWrapper sent to name servers. */
  serializeWrapper(): TopicConfigWrapper {
    return { topicConfigTable: Object.fromEntries(this.table), dataVersion: this.dataVersion.toJSON() };
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
