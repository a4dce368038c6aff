/**
 * SubscriptionGroupConfig's defaults (common/subscription/SubscriptionGroupConfig.java,
 * 4.9.8): what a broker auto-creates for a new group and what a reader assumes
 * for a field a body leaves out. Broker and admin client share them here.
 */
export const SUBSCRIPTION_GROUP_DEFAULTS = Object.freeze({
  consumeEnable: true,
  consumeFromMinEnable: true,
  consumeBroadcastEnable: true,
  retryQueueNums: 1,
  retryMaxTimes: 16,
  brokerId: 0,
  whichBrokerWhenConsumeSlowly: 1,
  notifyConsumerIdsChangedEnable: true,
});
