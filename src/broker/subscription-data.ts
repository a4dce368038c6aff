/**
 * A consumer's subscription to one topic (common/protocol/heartbeat/SubscriptionData.java
 * and common/filter/FilterAPI.java, 4.9.8): `*` or empty subscribes to all
 * tags; otherwise tags separated by `||`, each trimmed, with their Java hash
 * codes in `codeSet` for broker-side filtering.
 */
import { javaHashCode } from '../common/index.js';
import { arr, asRecord, bool, num, str } from './json-narrow.js';

export const SUB_ALL = '*';

export interface SubscriptionData {
  topic: string;
  subString: string;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  expressionType: string;
  classFilterMode: boolean;
}

/** FilterAPI.buildSubscriptionData. */
export function buildSubscriptionData(topic: string, subString: string | undefined, subVersion: number, expressionType = 'TAG'): SubscriptionData {
  const data: SubscriptionData = { topic, subString: SUB_ALL, tagsSet: [], codeSet: [], subVersion, expressionType, classFilterMode: false };
  const s = (subString ?? '').trim();
  if (expressionType !== 'TAG' && expressionType !== '') {
    data.subString = s;
    return data;
  }
  if (s.length === 0 || s === SUB_ALL) return data;
  data.subString = s;
  for (const raw of s.split('||')) {
    const tag = raw.trim();
    if (tag.length === 0) continue;
    data.tagsSet.push(tag);
    data.codeSet.push(javaHashCode(tag));
  }
  return data;
}

/** Parses a SubscriptionData object from a heartbeat body. */
export function parseSubscriptionData(u: unknown): SubscriptionData {
  const o = asRecord(u, 'SubscriptionData');
  const tagsSet = arr(o, 'tagsSet').filter((t): t is string => typeof t === 'string');
  const codeSet = arr(o, 'codeSet').filter((c): c is number => typeof c === 'number' && Number.isInteger(c));
  return {
    topic: str(o, 'topic'),
    subString: str(o, 'subString', SUB_ALL),
    tagsSet,
    codeSet: codeSet.length === tagsSet.length ? codeSet : tagsSet.map(javaHashCode),
    subVersion: num(o, 'subVersion', 0),
    expressionType: str(o, 'expressionType', 'TAG'),
    classFilterMode: bool(o, 'classFilterMode', false),
  };
}

/** Broker-side tag filter (ExpressionMessageFilter.isMatchedByConsumeQueue for TAG). */
export function matchesTagsCode(sub: SubscriptionData | undefined, tagsCode: number): boolean {
  if (sub === undefined || sub.subString === SUB_ALL || sub.subString === '' || sub.codeSet.length === 0) return true;
  return sub.codeSet.includes(tagsCode);
}
