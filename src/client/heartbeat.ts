/**
 * HEART_BEAT body types (remoting.md §7, Java `HeartbeatData`, `ConsumerData`,
 * `SubscriptionData`, `FilterAPI.buildSubscriptionData`), written with
 * fastjson's sorted keys.
 */
import { InvalidArgumentError, javaHashCode } from '../common/index.js';

export type ConsumeType = 'CONSUME_ACTIVELY' | 'CONSUME_PASSIVELY';
export type MessageModel = 'CLUSTERING' | 'BROADCASTING';
export type ConsumeFromWhere =
  | 'CONSUME_FROM_LAST_OFFSET'
  | 'CONSUME_FROM_FIRST_OFFSET'
  | 'CONSUME_FROM_TIMESTAMP'
  | 'CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST'
  | 'CONSUME_FROM_MIN_OFFSET'
  | 'CONSUME_FROM_MAX_OFFSET';

export interface SubscriptionData {
  readonly topic: string;
  /** The expression: `*`, or tags joined by `||`. */
  readonly subString: string;
  readonly tagsSet: readonly string[];
  /** Java `String.hashCode()` of each tag. */
  readonly codeSet: readonly number[];
  /** Version (ms); the broker refuses pulls with a newer version than it knows. */
  readonly subVersion: number;
  readonly expressionType: 'TAG' | 'SQL92';
  readonly classFilterMode: boolean;
}

export interface ConsumerData {
  readonly groupName: string;
  readonly consumeType: ConsumeType;
  readonly messageModel: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly subscriptionDataSet: readonly SubscriptionData[];
  readonly unitMode: boolean;
}

export interface HeartbeatData {
  readonly clientID: string;
  readonly producerDataSet: readonly { readonly groupName: string }[];
  readonly consumerDataSet: readonly ConsumerData[];
}

export const SUB_ALL = '*';

/** Java FilterAPI.buildSubscriptionData for TAG expressions: `*`/empty = all, else `a || b`. */
export function buildSubscriptionData(topic: string, expression = SUB_ALL, subVersion: number = Date.now()): SubscriptionData {
  const expr = expression.trim();
  if (expr.length === 0 || expr === SUB_ALL) {
    return { topic, subString: SUB_ALL, tagsSet: [], codeSet: [], subVersion, expressionType: 'TAG', classFilterMode: false };
  }
  const tags = expr.split('||').map((t) => t.trim()).filter((t) => t.length > 0);
  if (tags.length === 0) throw new InvalidArgumentError(`bad subscription expression "${expression}"`);
  return {
    topic, subString: expr, tagsSet: tags, codeSet: tags.map(javaHashCode), subVersion, expressionType: 'TAG', classFilterMode: false,
  };
}

/** True when a message with `tags` passes the subscription (the Java client's re-filter after a pull). */
export function matchesSubscription(sub: SubscriptionData, tags: string | undefined): boolean {
  if (sub.subString === SUB_ALL || sub.tagsSet.length === 0) return true;
  return tags !== undefined && sub.tagsSet.includes(tags);
}

/** HeartbeatData as fastjson writes it (sorted keys). */
export function encodeHeartbeat(hb: HeartbeatData): Buffer {
  return Buffer.from(JSON.stringify({
    clientID: hb.clientID,
    consumerDataSet: hb.consumerDataSet.map((c) => ({
      consumeFromWhere: c.consumeFromWhere,
      consumeType: c.consumeType,
      groupName: c.groupName,
      messageModel: c.messageModel,
      subscriptionDataSet: c.subscriptionDataSet.map((s) => ({
        classFilterMode: s.classFilterMode,
        codeSet: s.codeSet,
        expressionType: s.expressionType,
        subString: s.subString,
        subVersion: s.subVersion,
        tagsSet: s.tagsSet,
        topic: s.topic,
      })),
      unitMode: c.unitMode,
    })),
    producerDataSet: hb.producerDataSet.map((p) => ({ groupName: p.groupName })),
  }), 'utf8');
}
