/**
 * Compiled SQL92 filters of the registered consumers, per topic and group
 * (broker/filter/ConsumerFilterManager.java and its FilterDataMapByTopic,
 * rocketmq-all-4.9.8). Heartbeats register a group's subscriptions; a pull
 * that carries no subscription looks its filter up here.
 *
 * Registration follows FilterDataMapByTopic.register:
 * - TAG subscriptions and empty expressions are not registered;
 * - an expression that does not compile is not registered: the group then
 *   has no filter data, and its pulls get FILTER_DATA_NOT_EXIST instead of
 *   every message;
 * - a version not newer than the registered one is ignored (an equal version
 *   brings a dead entry back to life);
 * - a newer version with another expression replaces the entry; when the new
 *   expression does not compile the old entry is removed ("let client report
 *   error").
 * Topics a group's heartbeat no longer lists are marked dead, as in Java
 * (kept for lookups; OrbitMQ has no bloom filter whose bits a dead entry
 * would free, nor consumerFilter.json persistence).
 *
 * The BrokerContext has no slot for this manager; one instance per broker is
 * kept against the broker's ConsumerManager (any object that lives as long).
 */
import type { SubscriptionData } from '../subscription-data.js';
import type { Sql92Filter } from './sql92-filter.js';
import { ExpressionType, InvalidSelectorError, compiledFilterFor, isTagType } from './sql92-filter.js';

/** ConsumerFilterData. */
export interface ConsumerFilterData {
  readonly topic: string;
  readonly consumerGroup: string;
  readonly expression: string;
  readonly expressionType: string;
  clientVersion: number;
  readonly compiled: Sql92Filter;
  dead: boolean;
}

/**
 * ConsumerFilterManager.build: the filter data of one subscription, or the
 * reason it cannot be built (an unknown type or an expression that does not
 * compile). Undefined for TAG subscriptions.
 */
export function buildFilterData(topic: string, group: string, expression: string, type: string, clientVersion: number): ConsumerFilterData | InvalidSelectorError | undefined {
  if (isTagType(type)) return undefined;
  if (type !== ExpressionType.SQL92) return new InvalidSelectorError(expression, `expression type ${type} is not supported`);
  try {
    const compiled = compiledFilterFor({ group, topic, subVersion: clientVersion, expression });
    return { topic, consumerGroup: group, expression, expressionType: type, clientVersion, compiled, dead: false };
  } catch (err: unknown) {
    if (err instanceof InvalidSelectorError) return err;
    throw err;
  }
}

export class ConsumerFilterManager {
  /** topic → group → filter data. */
  private readonly byTopic = new Map<string, Map<string, ConsumerFilterData>>();

  /**
   * ConsumerFilterManager.register(group, subList): one heartbeat's
   * subscriptions of a group. Returns the subscriptions refused (for a log line).
   */
  registerGroup(group: string, subs: readonly SubscriptionData[]): InvalidSelectorError[] {
    const refused: InvalidSelectorError[] = [];
    for (const s of subs) {
      const r = this.register(s.topic, group, s.subString, s.expressionType, s.subVersion);
      if (r instanceof InvalidSelectorError) refused.push(r);
    }
    const topics = new Set(subs.map((s) => s.topic));
    for (const [topic, groups] of this.byTopic) {
      const data = groups.get(group);
      if (data !== undefined && !topics.has(topic)) data.dead = true;
    }
    return refused;
  }

  /** FilterDataMapByTopic.register. True when the registration changed; the error when the expression does not compile. */
  register(topic: string, group: string, expression: string, type: string, clientVersion: number): boolean | InvalidSelectorError {
    if (isTagType(type) || expression.length === 0) return false;
    let groups = this.byTopic.get(topic);
    if (groups === undefined) {
      groups = new Map();
      this.byTopic.set(topic, groups);
    }
    const old = groups.get(group);
    if (old !== undefined && clientVersion <= old.clientVersion) {
      if (clientVersion === old.clientVersion && old.dead) {
        old.dead = false;
        return true;
      }
      return false;
    }
    if (old !== undefined && old.expression === expression && old.expressionType === type) {
      old.clientVersion = clientVersion;
      old.dead = false;
      return true;
    }
    const built = buildFilterData(topic, group, expression, type, clientVersion);
    if (built === undefined || built instanceof InvalidSelectorError) {
      groups.delete(group);
      return built ?? false;
    }
    groups.set(group, built);
    return true;
  }

  /** ConsumerFilterManager.get. */
  get(topic: string, group: string): ConsumerFilterData | undefined {
    return this.byTopic.get(topic)?.get(group);
  }

  /** ConsumerFilterManager.unRegister. */
  unregister(group: string): void {
    for (const groups of this.byTopic.values()) groups.delete(group);
  }
}

const managers = new WeakMap<object, ConsumerFilterManager>();

/** The ConsumerFilterManager of the broker that owns `owner` (its ConsumerManager). */
export function consumerFilterManagerOf(owner: object): ConsumerFilterManager {
  let m = managers.get(owner);
  if (m === undefined) {
    m = new ConsumerFilterManager();
    managers.set(owner, m);
  }
  return m;
}
