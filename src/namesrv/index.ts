export { NamesrvServer, type NamesrvServerDeps, type NamesrvCloseOptions } from './namesrv-server.js';
export {
  DEFAULT_NAMESRV_CONFIG, resolveNamesrvConfig, formatNamesrvConfig, type NamesrvConfig,
} from './namesrv-config.js';
export {
  RouteInfoManager, type BrokerChannel, type BrokerLiveInfo, type RegisterBrokerRequest, type RegisterBrokerResult,
  type RouteInfoManagerDeps,
} from './route-info-manager.js';
export { KVConfigManager, type KVConfigManagerOptions } from './kv-config-manager.js';
export {
  MASTER_ID, NAMESPACE_ORDER_TOPIC_CONFIG, PermName, TopicSysFlag, dataVersionEquals,
  type BrokerData, type ClusterInfo, type DataVersion, type QueueData, type RegisterBrokerBody, type TopicConfig,
  type TopicConfigSerializeWrapper, type TopicList, type TopicRouteData,
} from './route-data.js';
export {
  decodeRegisterBrokerBody, encodeRegisterBrokerBody, decodeDataVersion, encodeDataVersion, MAX_INFLATED_BODY_BYTES,
} from './register-broker-body.js';
export {
  encodeTopicRouteData, encodeClusterInfo, encodeTopicList, encodeKVTable, type JsonStyle,
} from './route-json.js';
