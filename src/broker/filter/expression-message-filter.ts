/**
 * The store-side filter of a pull (broker/filter/ExpressionMessageFilter.java,
 * rocketmq-all-4.9.8): TAG subscriptions match by the consume queue's tag
 * hash code; SQL92 subscriptions pass the consume queue (OrbitMQ keeps no
 * bloom-filter bit maps in a consume-queue extension) and are evaluated on
 * the stored record's properties.
 */
import { MessageSysFlag, decodeProperties } from '../../common/index.js';
import type { MessageFilter } from '../../store/index.js';
import type { SubscriptionData } from '../subscription-data.js';
import { matchesTagsCode } from '../subscription-data.js';
import { ResponseCode } from '../../protocol/index.js';
import type { ConsumerFilterData } from './consumer-filter-manager.js';
import { buildFilterData, consumerFilterManagerOf } from './consumer-filter-manager.js';
import type { Sql92Filter } from './sql92-filter.js';
import { ExpressionType, InvalidSelectorError, compileSql92, isTagType } from './sql92-filter.js';

/** Offset of BORNHOST in a stored record (see common/stored-message.ts). */
const BORN_HOST_POSITION = 48;
const SYS_FLAG_POSITION = 36;

/**
 * The property string of a stored record (MessageDecoder.decodeProperties):
 * skips to the properties without decoding the rest. Undefined when the
 * record is too short to hold them.
 */
export function recordProperties(rec: Buffer): string | undefined {
  if (rec.length < BORN_HOST_POSITION) return undefined;
  const sysFlag = rec.readInt32BE(SYS_FLAG_POSITION);
  let p = BORN_HOST_POSITION + ((sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0 ? 20 : 8);
  p += 8 + ((sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0 ? 20 : 8);
  p += 4 + 8; // RECONSUMETIMES, PREPARED TRANSACTION OFFSET
  if (p + 4 > rec.length) return undefined;
  p += 4 + rec.readInt32BE(p); // BODY
  if (p + 1 > rec.length) return undefined;
  p += 1 + rec.readUInt8(p); // TOPIC
  if (p + 2 > rec.length) return undefined;
  const len = rec.readInt16BE(p);
  if (len <= 0 || p + 2 + len > rec.length) return len === 0 ? '' : undefined;
  return rec.toString('utf8', p + 2, p + 2 + len);
}

/** SQL92 evaluation on one stored record; a record whose properties cannot be read does not match. */
export function matchesRecord(filter: Sql92Filter, rec: Buffer): boolean {
  const s = recordProperties(rec);
  if (s === undefined) return false;
  if (s.length === 0) return filter.matches(() => undefined);
  let props: Map<string, string> | undefined;
  return filter.matches((name) => {
    props ??= decodeProperties(s);
    return props.get(name);
  });
}

/**
 * ExpressionMessageFilter for one pull: `sql92` is the compiled filter when
 * the subscription is SQL92 (undefined for TAG subscriptions).
 */
export function createMessageFilter(sub: SubscriptionData, sql92: Sql92Filter | undefined): MessageFilter {
  if (sql92 === undefined || sub.classFilterMode) return { isMatchedByConsumeQueue: (code) => matchesTagsCode(sub, code) };
  return {
    isMatchedByConsumeQueue: () => true,
    isMatchedByCommitLog: (rec) => matchesRecord(sql92, rec),
  };
}

/** The filter of one pull, or the response code and remark refusing it. */
export type PullFilter =
  | { readonly ok: true; readonly filter: MessageFilter }
  | { readonly ok: false; readonly code: number; readonly remark: string };

export interface PullFilterRequest {
  /** The broker's ConsumerManager: the owner of its ConsumerFilterManager. */
  readonly consumers: object;
  readonly enablePropertyFilter: boolean;
  readonly group: string;
  readonly sub: SubscriptionData;
  /** The request header's subVersion. */
  readonly subVersion: number;
  /** The subscription came with the request (FLAG_SUBSCRIPTION), not from the heartbeat. */
  readonly fromRequest: boolean;
}

/**
 * PullMessageProcessor's filter set-up (4.9.8), in Java's order: a
 * subscription sent with the pull is compiled now (SUBSCRIPTION_PARSE_FAILED
 * when it does not compile); otherwise the heartbeat's filter data is looked
 * up (FILTER_DATA_NOT_EXIST / FILTER_DATA_NOT_LATEST); then a broker with
 * enablePropertyFilter=false refuses non-TAG types with SYSTEM_ERROR.
 */
export function pullMessageFilter(r: PullFilterRequest): PullFilter {
  const { sub } = r;
  if (isTagType(sub.expressionType)) return { ok: true, filter: createMessageFilter(sub, undefined) };
  let data: ConsumerFilterData | undefined;
  if (r.fromRequest) {
    const built = buildFilterData(sub.topic, r.group, sub.subString, sub.expressionType, r.subVersion);
    if (built === undefined || built instanceof InvalidSelectorError) {
      const why = built === undefined ? '' : `: ${built.message}`;
      return { ok: false, code: ResponseCode.SUBSCRIPTION_PARSE_FAILED, remark: `parse the consumer's subscription failed${why}` };
    }
    data = built;
  } else {
    data = consumerFilterManagerOf(r.consumers).get(sub.topic, r.group);
    if (data === undefined) {
      return { ok: false, code: ResponseCode.FILTER_DATA_NOT_EXIST, remark: "The broker's consumer filter data is not exist!Your expression may be wrong!" };
    }
    if (data.clientVersion < r.subVersion) {
      return { ok: false, code: ResponseCode.FILTER_DATA_NOT_LATEST, remark: "the consumer's consumer filter data not latest" };
    }
  }
  if (!r.enablePropertyFilter) {
    return { ok: false, code: ResponseCode.SYSTEM_ERROR, remark: `The broker does not support consumer to filter message by ${sub.expressionType}` };
  }
  return { ok: true, filter: createMessageFilter(sub, data.compiled) };
}

/**
 * ClientManageProcessor.checkClientConfig (4.9.8) for one subscription:
 * undefined when accepted, else the code and remark. TAG passes; a broker
 * with enablePropertyFilter=false refuses other types with SYSTEM_ERROR; a
 * SQL92 expression that does not compile is SUBSCRIPTION_PARSE_FAILED with
 * the reason. Other types are SYSTEM_ERROR (Java answers them with a
 * NullPointerException's empty remark).
 */
export function checkSubscriptionFilter(sub: SubscriptionData, enablePropertyFilter: boolean): { readonly code: number; readonly remark: string } | undefined {
  const type = sub.expressionType;
  if (isTagType(type)) return undefined;
  if (!enablePropertyFilter || type !== ExpressionType.SQL92) {
    return { code: ResponseCode.SYSTEM_ERROR, remark: `The broker does not support consumer to filter message by ${type}` };
  }
  try {
    compileSql92(sub.subString);
    return undefined;
  } catch (err: unknown) {
    if (err instanceof InvalidSelectorError) return { code: ResponseCode.SUBSCRIPTION_PARSE_FAILED, remark: err.message };
    throw err;
  }
}
