import { ResponseError } from './errors.js';

/**
 * Response codes. Mirrors `org.apache.rocketmq.remoting.protocol.RemotingSysResponseCode`
 * (0–4) and `org.apache.rocketmq.common.protocol.ResponseCode` (rocketmq-all-4.9.8);
 * entries marked 5.x exist only in `org.apache.rocketmq.remoting.protocol.ResponseCode`
 * (rocketmq-all-5.3.3). 209/210/211 mean different things in 4.9.x and 5.x;
 * both spellings are listed.
 */
export const ResponseCode = {
  SUCCESS: 0,
  SYSTEM_ERROR: 1,
  SYSTEM_BUSY: 2,
  REQUEST_CODE_NOT_SUPPORTED: 3,
  TRANSACTION_FAILED: 4,
  FLUSH_DISK_TIMEOUT: 10,
  SLAVE_NOT_AVAILABLE: 11,
  FLUSH_SLAVE_TIMEOUT: 12,
  MESSAGE_ILLEGAL: 13,
  SERVICE_NOT_AVAILABLE: 14,
  VERSION_NOT_SUPPORTED: 15,
  NO_PERMISSION: 16,
  TOPIC_NOT_EXIST: 17,
  TOPIC_EXIST_ALREADY: 18,
  PULL_NOT_FOUND: 19,
  PULL_RETRY_IMMEDIATELY: 20,
  PULL_OFFSET_MOVED: 21,
  QUERY_NOT_FOUND: 22,
  SUBSCRIPTION_PARSE_FAILED: 23,
  SUBSCRIPTION_NOT_EXIST: 24,
  SUBSCRIPTION_NOT_LATEST: 25,
  SUBSCRIPTION_GROUP_NOT_EXIST: 26,
  FILTER_DATA_NOT_EXIST: 27,
  FILTER_DATA_NOT_LATEST: 28,
  /** 5.x */
  INVALID_PARAMETER: 29,
  TRANSACTION_SHOULD_COMMIT: 200,
  TRANSACTION_SHOULD_ROLLBACK: 201,
  TRANSACTION_STATE_UNKNOW: 202,
  TRANSACTION_STATE_GROUP_WRONG: 203,
  NO_BUYER_ID: 204,
  NOT_IN_CURRENT_UNIT: 205,
  CONSUMER_NOT_ONLINE: 206,
  CONSUME_MSG_TIMEOUT: 207,
  NO_MESSAGE: 208,
  /** 4.9.x meaning of 209 */
  UPDATE_AND_CREATE_ACL_CONFIG_FAILED: 209,
  /** 4.9.x meaning of 210 */
  DELETE_ACL_CONFIG_FAILED: 210,
  /** 4.9.x meaning of 211 */
  UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED: 211,
  /** 5.x meaning of 209 */
  POLLING_FULL: 209,
  /** 5.x meaning of 210 */
  POLLING_TIMEOUT: 210,
  /** 5.x meaning of 211 */
  BROKER_NOT_EXIST: 211,
  /** 5.x */
  BROKER_DISPATCH_NOT_COMPLETE: 212,
  /** 5.x */
  BROADCAST_CONSUMPTION: 213,
  FLOW_CONTROL: 215,
  /** 5.x */
  NOT_LEADER_FOR_QUEUE: 501,
  /** 5.x */
  ILLEGAL_OPERATION: 604,
  /** 5.x */
  GO_AWAY: 1500,
  /** 5.x */
  USER_NOT_EXIST: 3001,
  /** 5.x */
  POLICY_NOT_EXIST: 3002,
  /** 5.x, client-local */
  RPC_UNKNOWN: -1000,
  /** 5.x, client-local */
  RPC_ADDR_IS_NULL: -1002,
  /** 5.x, client-local */
  RPC_SEND_TO_CHANNEL_FAILED: -1004,
  /** 5.x, client-local */
  RPC_TIME_OUT: -1006,
} as const;

export type ResponseCodeName = keyof typeof ResponseCode;

const responseCodeNames = new Map<number, ResponseCodeName>();
for (const [name, value] of Object.entries(ResponseCode)) {
  // First spelling wins: 209–211 resolve to their 4.9.x names.
  if (!responseCodeNames.has(value)) responseCodeNames.set(value, name as ResponseCodeName);
}

/** The RocketMQ name of a response code (4.9.x spelling), or undefined. */
export function responseCodeName(code: number): ResponseCodeName | undefined {
  return responseCodeNames.get(code);
}

/**
 * Codes after which retrying (possibly on another broker) may succeed: the
 * Java producer's `retryResponseCodes` (DefaultMQProducer) plus SYSTEM_BUSY
 * and FLOW_CONTROL.
 */
const RETRIABLE_CODES: ReadonlySet<number> = new Set([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.SYSTEM_BUSY,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
  ResponseCode.FLOW_CONTROL,
]);

/**
 * The one place that turns a non-success response code and its remark into a
 * typed error (cf. Java `MQBrokerException` / `MQClientException`).
 */
export function responseToError(responseCode: number, remark?: string): ResponseError {
  const name = responseCodeName(responseCode) ?? `RESPONSE_${responseCode}`;
  return new ResponseError(name, responseCode, remark, { retriable: RETRIABLE_CODES.has(responseCode) });
}
