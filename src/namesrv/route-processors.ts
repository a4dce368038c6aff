import { bodyCrc32, type Logger } from '../common/index.js';
import {
  AddWritePermOfBrokerRequestHeader, AddWritePermOfBrokerResponseHeader, DeleteTopicFromNamesrvRequestHeader,
  GetRouteInfoRequestHeader, GetTopicsByClusterRequestHeader, MQVersion, NamesrvAdminRequestCode,
  QueryDataVersionRequestHeader, QueryDataVersionResponseHeader, RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader, RequestCode, ResponseCode, UnregisterBrokerRequestHeader,
  WipeWritePermOfBrokerRequestHeader, WipeWritePermOfBrokerResponseHeader, createResponseFor,
  type RemotingCommand,
} from '../protocol/index.js';
import type { RequestProcessor } from '../remoting/index.js';
import type { KVConfigManager } from './kv-config-manager.js';
import { decodeDataVersion, decodeRegisterBrokerBody, encodeDataVersion } from './register-broker-body.js';
import { NAMESPACE_ORDER_TOPIC_CONFIG, type RegisterBrokerBody } from './route-data.js';
import type { RouteInfoManager } from './route-info-manager.js';
import { encodeClusterInfo, encodeKVTable, encodeTopicList, encodeTopicRouteData, type JsonStyle } from './route-json.js';

export interface NamesrvProcessorDeps {
  readonly routes: RouteInfoManager;
  readonly kv: KVConfigManager;
  readonly logger: Logger;
  /** Current `orderMessageEnable` (may change through UPDATE_NAMESRV_CONFIG). */
  readonly orderMessageEnable: () => boolean;
}

/** FAQUrl.APPLY_TOPIC_URL with FAQUrl.suggestTodo. */
const APPLY_TOPIC_SUGGESTION = '\nSee http://rocketmq.apache.org/docs/faq/ for further details.';

/** Java emits legal JSON to ≥ V4_9_4 peers or on request (DefaultRequestProcessor, #4473). */
function jsonStyleFor(request: RemotingCommand, acceptStandardJsonOnly: boolean | undefined): JsonStyle {
  return request.version >= MQVersion.V4_9_4 || acceptStandardJsonOnly === true ? 'standard' : 'fastjson';
}

const ok = (request: RemotingCommand, body?: Buffer, extFields?: Record<string, string>): RemotingCommand =>
  createResponseFor(request, ResponseCode.SUCCESS, undefined, {
    ...(body === undefined ? {} : { body }),
    ...(extFields === undefined ? {} : { extFields }),
  });

/**
 * Route requests of namesrv/…/processor/DefaultRequestProcessor.java (4.9.8).
 * Header decoding errors throw and become SYSTEM_ERROR in the remoting layer,
 * as RemotingCommandException does in Java.
 */
export function routeProcessors(deps: NamesrvProcessorDeps): Map<number, RequestProcessor> {
  const { routes, kv } = deps;
  const table = new Map<number, RequestProcessor>();

  table.set(RequestCode.REGISTER_BROKER, (request, ctx) => {
    const h = RegisterBrokerRequestHeader.decode(request.extFields);
    const crc = h.bodyCrc32 ?? 0;
    if (crc !== 0) {
      const actual = request.body === undefined ? 0 : bodyCrc32(request.body);
      if (actual !== crc) {
        deps.logger.warn('registerBroker crc32 not match', { brokerAddr: h.brokerAddr, remote: ctx.channel.remoteAddress });
        return createResponseFor(request, ResponseCode.SYSTEM_ERROR, 'crc32 not match');
      }
    }
    let body: RegisterBrokerBody = {
      topicConfigSerializeWrapper: { topicConfigTable: new Map(), dataVersion: { timestamp: 0, counter: 0 } },
      filterServerList: [],
    };
    if (request.body !== undefined && request.body.length > 0) {
      body = decodeRegisterBrokerBody(request.body, h.compressed === true);
    }
    const result = routes.registerBroker({
      clusterName: h.clusterName,
      brokerAddr: h.brokerAddr,
      brokerName: h.brokerName,
      brokerId: h.brokerId,
      haServerAddr: h.haServerAddr,
      topicConfigWrapper: body.topicConfigSerializeWrapper,
      filterServerList: body.filterServerList,
      channel: ctx.channel,
    });
    const orderConf = kv.getKVListByNamespace(NAMESPACE_ORDER_TOPIC_CONFIG);
    return ok(
      request,
      orderConf === undefined ? undefined : encodeKVTable(orderConf),
      RegisterBrokerResponseHeader.encode({
        ...(result.haServerAddr === undefined ? {} : { haServerAddr: result.haServerAddr }),
        ...(result.masterAddr === undefined ? {} : { masterAddr: result.masterAddr }),
      }),
    );
  });

  table.set(RequestCode.UNREGISTER_BROKER, (request) => {
    const h = UnregisterBrokerRequestHeader.decode(request.extFields);
    routes.unregisterBroker(h.clusterName, h.brokerAddr, h.brokerName, h.brokerId);
    return ok(request);
  });

  table.set(RequestCode.GET_ROUTEINFO_BY_TOPIC, (request) => {
    const h = GetRouteInfoRequestHeader.decode(request.extFields);
    const route = routes.pickupTopicRouteData(h.topic);
    if (route === undefined) {
      return createResponseFor(request, ResponseCode.TOPIC_NOT_EXIST,
        `No topic route info in name server for the topic: ${h.topic}${APPLY_TOPIC_SUGGESTION}`);
    }
    if (deps.orderMessageEnable()) {
      const conf = kv.getKVConfig(NAMESPACE_ORDER_TOPIC_CONFIG, h.topic);
      if (conf !== undefined) route.orderTopicConf = conf;
    }
    return ok(request, encodeTopicRouteData(route, jsonStyleFor(request, h.acceptStandardJsonOnly)));
  });

  table.set(RequestCode.GET_BROKER_CLUSTER_INFO, (request) =>
    ok(request, encodeClusterInfo(routes.getAllClusterInfo(), jsonStyleFor(request, undefined))));

  table.set(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, (request) => ok(request, encodeTopicList(routes.getAllTopicList())));

  table.set(RequestCode.DELETE_TOPIC_IN_NAMESRV, (request) => {
    const h = DeleteTopicFromNamesrvRequestHeader.decode(request.extFields);
    routes.deleteTopic(h.topic, h.clusterName);
    return ok(request);
  });

  table.set(RequestCode.QUERY_DATA_VERSION, (request) => {
    const h = QueryDataVersionRequestHeader.decode(request.extFields);
    const dataVersion = decodeDataVersion(request.body);
    const changed = routes.isBrokerTopicConfigChanged(h.brokerAddr, dataVersion);
    if (!changed) routes.updateBrokerInfoUpdateTimestamp(h.brokerAddr);
    const current = routes.queryBrokerTopicConfig(h.brokerAddr);
    return ok(request, current === undefined ? undefined : encodeDataVersion(current),
      QueryDataVersionResponseHeader.encode({ changed }));
  });

  table.set(RequestCode.WIPE_WRITE_PERM_OF_BROKER, (request) => {
    const h = WipeWritePermOfBrokerRequestHeader.decode(request.extFields);
    const wipeTopicCount = routes.wipeWritePermOfBrokerByLock(h.brokerName);
    deps.logger.info('wipe write perm of broker', { brokerName: h.brokerName, wipeTopicCount });
    return ok(request, undefined, WipeWritePermOfBrokerResponseHeader.encode({ wipeTopicCount }));
  });

  table.set(RequestCode.ADD_WRITE_PERM_OF_BROKER, (request) => {
    const h = AddWritePermOfBrokerRequestHeader.decode(request.extFields);
    const addTopicCount = routes.addWritePermOfBrokerByLock(h.brokerName);
    deps.logger.info('add write perm of broker', { brokerName: h.brokerName, addTopicCount });
    return ok(request, undefined, AddWritePermOfBrokerResponseHeader.encode({ addTopicCount }));
  });

  table.set(RequestCode.GET_TOPICS_BY_CLUSTER, (request) => {
    const h = GetTopicsByClusterRequestHeader.decode(request.extFields);
    return ok(request, encodeTopicList(routes.getTopicsByCluster(h.cluster)));
  });

  table.set(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS, (request) => ok(request, encodeTopicList(routes.getSystemTopicList())));
  table.set(NamesrvAdminRequestCode.GET_UNIT_TOPIC_LIST, (request) => ok(request, encodeTopicList(routes.getUnitTopics())));
  table.set(NamesrvAdminRequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST, (request) =>
    ok(request, encodeTopicList(routes.getHasUnitSubTopicList())));
  table.set(NamesrvAdminRequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST, (request) =>
    ok(request, encodeTopicList(routes.getHasUnitSubUnUnitTopicList())));

  return table;
}
