/** The admin client (MQAdminExt over the wire) the `orbit` CLI and the dashboard use. */
export { AdminClient, AdminRefusedError, type AdminClientOptions, type TopicConfigInput } from './admin-client.js';
export {
  DEFAULT_GROUP_CONFIG, type BrokerGroup, type ClusterInfo, type ConsumeStats, type QueueProgress, type ConsumerConnection,
  type Connection, type GroupConfig, type TopicOffset,
} from './bodies.js';
