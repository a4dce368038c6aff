import { defineHeader, opt, req, type HeaderType } from './header-schema.js';

/** namesrv/GetRouteInfoRequestHeader.java (105); acceptStandardJsonOnly 4.9.4+. */
export const GetRouteInfoRequestHeader = defineHeader('GetRouteInfoRequestHeader', {
  topic: req('string'),
  acceptStandardJsonOnly: opt('bool'),
});
export type GetRouteInfoRequestHeader = HeaderType<typeof GetRouteInfoRequestHeader>;

/** namesrv/RegisterBrokerRequestHeader.java (103). bodyCrc32 0 = skip the check. */
export const RegisterBrokerRequestHeader = defineHeader('RegisterBrokerRequestHeader', {
  brokerName: req('string'),
  brokerAddr: req('string'),
  clusterName: req('string'),
  haServerAddr: req('string'),
  brokerId: req('long'),
  compressed: opt('bool'),
  bodyCrc32: opt('int'),
});
export type RegisterBrokerRequestHeader = HeaderType<typeof RegisterBrokerRequestHeader>;

/** namesrv/RegisterBrokerResponseHeader.java. */
export const RegisterBrokerResponseHeader = defineHeader('RegisterBrokerResponseHeader', {
  haServerAddr: opt('string'),
  masterAddr: opt('string'),
});
export type RegisterBrokerResponseHeader = HeaderType<typeof RegisterBrokerResponseHeader>;

/** namesrv/UnRegisterBrokerRequestHeader.java (104). */
export const UnregisterBrokerRequestHeader = defineHeader('UnRegisterBrokerRequestHeader', {
  brokerName: req('string'),
  brokerAddr: req('string'),
  clusterName: req('string'),
  brokerId: req('long'),
});
export type UnregisterBrokerRequestHeader = HeaderType<typeof UnregisterBrokerRequestHeader>;

/** namesrv/DeleteTopicFromNamesrvRequestHeader.java (216). */
export const DeleteTopicFromNamesrvRequestHeader = defineHeader('DeleteTopicFromNamesrvRequestHeader', {
  topic: req('string'),
  clusterName: opt('string'),
});
export type DeleteTopicFromNamesrvRequestHeader = HeaderType<typeof DeleteTopicFromNamesrvRequestHeader>;

/** namesrv/GetTopicsByClusterRequestHeader.java (224). */
export const GetTopicsByClusterRequestHeader = defineHeader('GetTopicsByClusterRequestHeader', {
  cluster: req('string'),
});
export type GetTopicsByClusterRequestHeader = HeaderType<typeof GetTopicsByClusterRequestHeader>;
