/**
 * Request codes of the remoting protocol. Mirrors
 * `org.apache.rocketmq.common.protocol.RequestCode` (rocketmq-all-4.9.8);
 * entries marked 5.x exist only in `org.apache.rocketmq.remoting.protocol.RequestCode`
 * (rocketmq-all-5.3.3). Codes ≥ 32768 (pop family) cannot travel in the
 * ROCKETMQ binary header, whose code field is int16. Entries marked "not in
 * remoting.md" were taken from RequestCode.java (apache/rocketmq) directly.
 */
export const RequestCode = {
  SEND_MESSAGE: 10,
  PULL_MESSAGE: 11,
  QUERY_MESSAGE: 12,
  /** not in remoting.md; RequestCode.java 4.x */
  QUERY_BROKER_OFFSET: 13,
  QUERY_CONSUMER_OFFSET: 14,
  UPDATE_CONSUMER_OFFSET: 15,
  UPDATE_AND_CREATE_TOPIC: 17,
  /** 5.x */
  UPDATE_AND_CREATE_TOPIC_LIST: 18,
  GET_ALL_TOPIC_CONFIG: 21,
  /** not in remoting.md; RequestCode.java 4.x */
  GET_TOPIC_CONFIG_LIST: 22,
  /** not in remoting.md; RequestCode.java 4.x */
  GET_TOPIC_NAME_LIST: 23,
  UPDATE_BROKER_CONFIG: 25,
  GET_BROKER_CONFIG: 26,
  /** not in remoting.md; RequestCode.java 4.x */
  TRIGGER_DELETE_FILES: 27,
  GET_BROKER_RUNTIME_INFO: 28,
  SEARCH_OFFSET_BY_TIMESTAMP: 29,
  GET_MAX_OFFSET: 30,
  GET_MIN_OFFSET: 31,
  GET_EARLIEST_MSG_STORETIME: 32,
  VIEW_MESSAGE_BY_ID: 33,
  HEART_BEAT: 34,
  UNREGISTER_CLIENT: 35,
  CONSUMER_SEND_MSG_BACK: 36,
  END_TRANSACTION: 37,
  GET_CONSUMER_LIST_BY_GROUP: 38,
  CHECK_TRANSACTION_STATE: 39,
  NOTIFY_CONSUMER_IDS_CHANGED: 40,
  LOCK_BATCH_MQ: 41,
  UNLOCK_BATCH_MQ: 42,
  GET_ALL_CONSUMER_OFFSET: 43,
  /** not in remoting.md; RequestCode.java 4.x */
  GET_ALL_DELAY_OFFSET: 45,
  /** not in remoting.md; RequestCode.java 4.x */
  CHECK_CLIENT_CONFIG: 46,
  /** 4.9.x only (ACL 1.0 admin; replaced by AUTH_* 3001–3010 in 5.x) */
  UPDATE_AND_CREATE_ACL_CONFIG: 50,
  /** 4.9.x only */
  DELETE_ACL_CONFIG: 51,
  /** 4.9.x only */
  GET_BROKER_CLUSTER_ACL_INFO: 52,
  /** 4.9.x only */
  UPDATE_GLOBAL_WHITE_ADDRS_CONFIG: 53,
  /** not in remoting.md; RequestCode.java 4.x */
  GET_BROKER_CLUSTER_ACL_CONFIG: 54,
  PUT_KV_CONFIG: 100,
  GET_KV_CONFIG: 101,
  DELETE_KV_CONFIG: 102,
  REGISTER_BROKER: 103,
  UNREGISTER_BROKER: 104,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_BROKER_CLUSTER_INFO: 106,
  UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: 200,
  GET_ALL_SUBSCRIPTIONGROUP_CONFIG: 201,
  GET_TOPIC_STATS_INFO: 202,
  GET_CONSUMER_CONNECTION_LIST: 203,
  GET_PRODUCER_CONNECTION_LIST: 204,
  WIPE_WRITE_PERM_OF_BROKER: 205,
  GET_ALL_TOPIC_LIST_FROM_NAMESERVER: 206,
  DELETE_SUBSCRIPTIONGROUP: 207,
  GET_CONSUME_STATS: 208,
  /** not in remoting.md; RequestCode.java 4.x */
  SUSPEND_CONSUMER: 209,
  /** not in remoting.md; RequestCode.java 4.x */
  RESUME_CONSUMER: 210,
  RESET_CONSUMER_OFFSET_IN_CONSUMER: 211,
  RESET_CONSUMER_OFFSET_IN_BROKER: 212,
  /** not in remoting.md; RequestCode.java 4.x */
  ADJUST_CONSUMER_THREAD_POOL: 213,
  /** not in remoting.md; RequestCode.java 4.x */
  WHO_CONSUME_THE_MESSAGE: 214,
  DELETE_TOPIC_IN_BROKER: 215,
  DELETE_TOPIC_IN_NAMESRV: 216,
  /** 5.x */
  REGISTER_TOPIC_IN_NAMESRV: 217,
  GET_KVLIST_BY_NAMESPACE: 219,
  RESET_CONSUMER_CLIENT_OFFSET: 220,
  GET_CONSUMER_STATUS_FROM_CLIENT: 221,
  INVOKE_BROKER_TO_RESET_OFFSET: 222,
  INVOKE_BROKER_TO_GET_CONSUMER_STATUS: 223,
  GET_TOPICS_BY_CLUSTER: 224,
  QUERY_TOPIC_CONSUME_BY_WHO: 300,
  /** not in remoting.md; RequestCode.java 4.x */
  REGISTER_FILTER_SERVER: 301,
  /** not in remoting.md; RequestCode.java 4.x */
  REGISTER_MESSAGE_FILTER_CLASS: 302,
  /** not in remoting.md; RequestCode.java 4.x */
  QUERY_CONSUME_TIME_SPAN: 303,
  GET_SYSTEM_TOPIC_LIST_FROM_NS: 304,
  GET_SYSTEM_TOPIC_LIST_FROM_BROKER: 305,
  /** not in remoting.md; RequestCode.java 4.x */
  CLEAN_EXPIRED_CONSUMEQUEUE: 306,
  GET_CONSUMER_RUNNING_INFO: 307,
  /** not in remoting.md; RequestCode.java 4.x */
  QUERY_CORRECTION_OFFSET: 308,
  CONSUME_MESSAGE_DIRECTLY: 309,
  SEND_MESSAGE_V2: 310,
  /** not in remoting.md; RequestCode.java 4.x */
  GET_UNIT_TOPIC_LIST: 311,
  /** not in remoting.md; RequestCode.java 4.x */
  GET_HAS_UNIT_SUB_TOPIC_LIST: 312,
  /** not in remoting.md; RequestCode.java 4.x */
  GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST: 313,
  /** not in remoting.md; RequestCode.java 4.x */
  CLONE_GROUP_OFFSET: 314,
  /** not in remoting.md; RequestCode.java 4.x */
  VIEW_BROKER_STATS_DATA: 315,
  /** not in remoting.md; RequestCode.java 4.x */
  CLEAN_UNUSED_TOPIC: 316,
  /** not in remoting.md; RequestCode.java 4.x */
  GET_BROKER_CONSUME_STATS: 317,
  /** not in remoting.md; RequestCode.java 4.x */
  UPDATE_NAMESRV_CONFIG: 318,
  /** not in remoting.md; RequestCode.java 4.x */
  GET_NAMESRV_CONFIG: 319,
  SEND_BATCH_MESSAGE: 320,
  QUERY_CONSUME_QUEUE: 321,
  QUERY_DATA_VERSION: 322,
  /** not in remoting.md; RequestCode.java 4.x */
  RESUME_CHECK_HALF_MESSAGE: 323,
  SEND_REPLY_MESSAGE: 324,
  SEND_REPLY_MESSAGE_V2: 325,
  PUSH_REPLY_MESSAGE_TO_CLIENT: 326,
  ADD_WRITE_PERM_OF_BROKER: 327,
  /** 5.x */
  GET_TOPIC_CONFIG: 351,
  /** 5.x */
  LITE_PULL_MESSAGE: 361,
  /** 5.x */
  RECALL_MESSAGE: 370,
  /** 5.x */
  QUERY_ASSIGNMENT: 400,
  /** 5.x */
  SET_MESSAGE_REQUEST_MODE: 401,
  /** 5.x */
  GET_ALL_MESSAGE_REQUEST_MODE: 402,
  /** 5.x */
  BROKER_HEARTBEAT: 904,
  /** 5.x */
  POP_MESSAGE: 200050,
  /** 5.x */
  ACK_MESSAGE: 200051,
  /** 5.x */
  PEEK_MESSAGE: 200052,
  /** 5.x */
  CHANGE_MESSAGE_INVISIBLETIME: 200053,
  /** 5.x */
  NOTIFICATION: 200054,
  /** 5.x */
  POLLING_INFO: 200055,
  /** 5.x */
  POP_ROLLBACK: 200056,
  /** 5.x */
  BATCH_ACK_MESSAGE: 200151,
} as const;

export type RequestCodeName = keyof typeof RequestCode;
export type RequestCodeValue = (typeof RequestCode)[RequestCodeName];

const requestCodeNames = new Map<number, RequestCodeName>();
for (const [name, value] of Object.entries(RequestCode)) {
  requestCodeNames.set(value, name as RequestCodeName);
}

/** The RocketMQ name of a request code, or undefined when unknown. */
export function requestCodeName(code: number): RequestCodeName | undefined {
  return requestCodeNames.get(code);
}
