import { defineHeader, opt, req, type HeaderType } from './header-schema.js';

/**
 * Name-server request codes of `org.apache.rocketmq.common.protocol.RequestCode`
 * (rocketmq-all-4.9.8) that request-code.ts does not list yet.
 */
export const NamesrvAdminRequestCode = {
  GET_UNIT_TOPIC_LIST: 311,
  GET_HAS_UNIT_SUB_TOPIC_LIST: 312,
  GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST: 313,
  UPDATE_NAMESRV_CONFIG: 318,
  GET_NAMESRV_CONFIG: 319,
} as const;

/** namesrv/PutKVConfigRequestHeader.java (100). */
export const PutKVConfigRequestHeader = defineHeader('PutKVConfigRequestHeader', {
  namespace: req('string'),
  key: req('string'),
  value: req('string'),
});
export type PutKVConfigRequestHeader = HeaderType<typeof PutKVConfigRequestHeader>;

/** namesrv/GetKVConfigRequestHeader.java (101). */
export const GetKVConfigRequestHeader = defineHeader('GetKVConfigRequestHeader', {
  namespace: req('string'),
  key: req('string'),
});
export type GetKVConfigRequestHeader = HeaderType<typeof GetKVConfigRequestHeader>;

/** namesrv/GetKVConfigResponseHeader.java (value is @CFNullable). */
export const GetKVConfigResponseHeader = defineHeader('GetKVConfigResponseHeader', {
  value: opt('string'),
});
export type GetKVConfigResponseHeader = HeaderType<typeof GetKVConfigResponseHeader>;

/** namesrv/DeleteKVConfigRequestHeader.java (102). */
export const DeleteKVConfigRequestHeader = defineHeader('DeleteKVConfigRequestHeader', {
  namespace: req('string'),
  key: req('string'),
});
export type DeleteKVConfigRequestHeader = HeaderType<typeof DeleteKVConfigRequestHeader>;

/** namesrv/GetKVListByNamespaceRequestHeader.java (219). */
export const GetKVListByNamespaceRequestHeader = defineHeader('GetKVListByNamespaceRequestHeader', {
  namespace: req('string'),
});
export type GetKVListByNamespaceRequestHeader = HeaderType<typeof GetKVListByNamespaceRequestHeader>;

/** namesrv/QueryDataVersionRequestHeader.java (322); body = DataVersion JSON. */
export const QueryDataVersionRequestHeader = defineHeader('QueryDataVersionRequestHeader', {
  brokerName: req('string'),
  brokerAddr: req('string'),
  clusterName: req('string'),
  brokerId: req('long'),
});
export type QueryDataVersionRequestHeader = HeaderType<typeof QueryDataVersionRequestHeader>;

/** namesrv/QueryDataVersionResponseHeader.java. */
export const QueryDataVersionResponseHeader = defineHeader('QueryDataVersionResponseHeader', {
  changed: req('bool'),
});
export type QueryDataVersionResponseHeader = HeaderType<typeof QueryDataVersionResponseHeader>;

/** namesrv/WipeWritePermOfBrokerRequestHeader.java (205). */
export const WipeWritePermOfBrokerRequestHeader = defineHeader('WipeWritePermOfBrokerRequestHeader', {
  brokerName: req('string'),
});
export type WipeWritePermOfBrokerRequestHeader = HeaderType<typeof WipeWritePermOfBrokerRequestHeader>;

/** namesrv/WipeWritePermOfBrokerResponseHeader.java. */
export const WipeWritePermOfBrokerResponseHeader = defineHeader('WipeWritePermOfBrokerResponseHeader', {
  wipeTopicCount: req('int'),
});
export type WipeWritePermOfBrokerResponseHeader = HeaderType<typeof WipeWritePermOfBrokerResponseHeader>;

/** namesrv/AddWritePermOfBrokerRequestHeader.java (327). */
export const AddWritePermOfBrokerRequestHeader = defineHeader('AddWritePermOfBrokerRequestHeader', {
  brokerName: req('string'),
});
export type AddWritePermOfBrokerRequestHeader = HeaderType<typeof AddWritePermOfBrokerRequestHeader>;

/** namesrv/AddWritePermOfBrokerResponseHeader.java. */
export const AddWritePermOfBrokerResponseHeader = defineHeader('AddWritePermOfBrokerResponseHeader', {
  addTopicCount: req('int'),
});
export type AddWritePermOfBrokerResponseHeader = HeaderType<typeof AddWritePermOfBrokerResponseHeader>;
