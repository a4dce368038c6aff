/**
 * What request processors see of the broker: its config, store, managers and
 * services. BrokerController builds one and hands it to every processor
 * module, so processors stay small and testable.
 */
import type { Clock, HostAddress, Logger } from '../common/index.js';
import type { RemotingChannel, RemotingServer } from '../remoting/index.js';
import type { MessageStore } from '../store/index.js';
import type { BrokerConfig } from './broker-config.js';
import type { ConsumerManager } from './client/consumer-manager.js';
import type { ProducerManager } from './client/producer-manager.js';
import type { RebalanceLockManager } from './client/rebalance-lock-manager.js';
import type { ConsumerOffsetManager } from './consumer-offset-manager.js';
import type { PullRequestHoldService } from './pull-request-hold-service.js';
import type { ScheduleMessageService } from './schedule-message-service.js';
import type { TimerMessageService } from './timer/timer-message-service.js';
import type { TransactionalMessageService } from './transaction/transactional-message-service.js';
import type { SubscriptionGroupManager } from './subscription-group-manager.js';
import type { TopicConfig, TopicConfigManager } from './topic-config-manager.js';

export interface BrokerContext {
  readonly config: Readonly<BrokerConfig>;
  readonly store: MessageStore;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  readonly offsets: ConsumerOffsetManager;
  readonly consumers: ConsumerManager;
  readonly producers: ProducerManager;
  readonly locks: RebalanceLockManager;
  readonly pullHold: PullRequestHoldService;
  readonly schedule: ScheduleMessageService;
  readonly transactions: TransactionalMessageService;
  readonly timers: TimerMessageService;
  /** Address stored in messages and message ids: brokerIP1 + listen port. */
  readonly storeHost: HostAddress;
  /** `ip:port` clients use for this broker. */
  readonly brokerAddr: string;
  readonly server: RemotingServer;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Applies broker keys at run time (values as text, validated like the config file); throws on a bad value. */
  updateConfig(changes: Readonly<Record<string, string>>): void;
  /** Sends a created or changed topic to every name server (alone, not the whole table). */
  registerTopic(tc: TopicConfig): void;
  /** Sends NOTIFY_CONSUMER_IDS_CHANGED to a group's channels. */
  notifyConsumerIdsChanged(group: string, channels: readonly RemotingChannel[]): void;
}
