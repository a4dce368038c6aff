/**
 * Consumer group configs (broker/subscription/SubscriptionGroupManager.java,
 * 4.9.8), persisted in config/subscriptionGroup.json and auto-created on first
 * use when `autoCreateSubscriptionGroup` is on.
 */
import { join } from 'node:path';
import type { Clock, Logger } from '../common/index.js';
import { getErrorMessage } from '../common/index.js';
import { SUBSCRIPTION_GROUP_DEFAULTS } from '../protocol/index.js';
import { ConfigFile } from '../store/index.js';
import { DataVersion } from './data-version.js';
import { asRecord, bool, isRecord, num, str } from './json-narrow.js';

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
}

export function defaultSubscriptionGroup(groupName: string): SubscriptionGroupConfig {
  return { groupName, ...SUBSCRIPTION_GROUP_DEFAULTS };
}

export function parseSubscriptionGroup(u: unknown): SubscriptionGroupConfig {
  const o = asRecord(u, 'SubscriptionGroupConfig');
  const d = defaultSubscriptionGroup(str(o, 'groupName'));
  return {
    groupName: d.groupName,
    consumeEnable: bool(o, 'consumeEnable', d.consumeEnable),
    consumeFromMinEnable: bool(o, 'consumeFromMinEnable', d.consumeFromMinEnable),
    consumeBroadcastEnable: bool(o, 'consumeBroadcastEnable', d.consumeBroadcastEnable),
    retryQueueNums: num(o, 'retryQueueNums', d.retryQueueNums),
    retryMaxTimes: num(o, 'retryMaxTimes', d.retryMaxTimes),
    brokerId: num(o, 'brokerId', d.brokerId),
    whichBrokerWhenConsumeSlowly: num(o, 'whichBrokerWhenConsumeSlowly', d.whichBrokerWhenConsumeSlowly),
    notifyConsumerIdsChangedEnable: bool(o, 'notifyConsumerIdsChangedEnable', d.notifyConsumerIdsChangedEnable),
  };
}

interface GroupsFile {
  subscriptionGroupTable: Record<string, SubscriptionGroupConfig>;
  dataVersion: unknown;
}

const SYSTEM_GROUPS = ['TOOLS_CONSUMER', 'FILTERSRV_CONSUMER', 'SELF_TEST_C_GROUP', 'CID_ONS-HTTP-PROXY', 'CID_ONSAPI_PULL', 'CID_ONSAPI_PERMISSION', 'CID_ONSAPI_OWNER'];

export class SubscriptionGroupManager {
  private readonly table = new Map<string, SubscriptionGroupConfig>();
  readonly dataVersion: DataVersion;
  private readonly file: ConfigFile<GroupsFile>;
  private readonly autoCreate: boolean;
  private readonly log: Logger;

  constructor(configDir: string, autoCreate: boolean, deps: { logger: Logger; clock: Clock }) {
    this.autoCreate = autoCreate;
    this.log = deps.logger.child({ component: 'broker.groups' });
    this.dataVersion = new DataVersion(deps.clock);
    this.file = new ConfigFile<GroupsFile>({
      path: join(configDir, 'subscriptionGroup.json'),
      parse: (u) => {
        const o = asRecord(u, 'subscriptionGroup.json');
        const t: Record<string, SubscriptionGroupConfig> = {};
        if (isRecord(o.subscriptionGroupTable)) for (const [k, v] of Object.entries(o.subscriptionGroupTable)) t[k] = parseSubscriptionGroup(v);
        return { subscriptionGroupTable: t, dataVersion: o.dataVersion };
      },
      snapshot: () => ({ dataVersion: this.dataVersion.toJSON(), subscriptionGroupTable: Object.fromEntries(this.table) }),
      debounceMs: 50,
      onError: (err) => this.log.error('persisting subscription groups failed', { error: getErrorMessage(err) }),
    });
  }

  load(): void {
    const loaded = this.file.load();
    if (loaded !== undefined) {
      for (const [k, v] of Object.entries(loaded.value.subscriptionGroupTable)) this.table.set(k, v);
      this.dataVersion.assign(loaded.value.dataVersion);
    }
    for (const g of SYSTEM_GROUPS) if (!this.table.has(g)) this.table.set(g, defaultSubscriptionGroup(g));
  }

  get(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group);
  }

  /** The group's config, created with defaults when auto-creation is on (findSubscriptionGroupConfig). */
  findOrCreate(group: string): SubscriptionGroupConfig | undefined {
    const found = this.table.get(group);
    if (found || !this.autoCreate) return found;
    const created = defaultSubscriptionGroup(group);
    this.update(created);
    this.log.info('auto-created subscription group', { group });
    return created;
  }

  update(cfg: SubscriptionGroupConfig): void {
    this.table.set(cfg.groupName, cfg);
    this.dataVersion.next();
    this.file.persist();
  }

  delete(group: string): boolean {
    const had = this.table.delete(group);
    if (had) {
      this.dataVersion.next();
      this.file.persist();
    }
    return had;
  }

  all(): SubscriptionGroupConfig[] {
    return [...this.table.values()];
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
