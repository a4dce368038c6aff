/**
 * Messages parked in a system topic (delay levels, timers) carry their real
 * destination in REAL_TOPIC / REAL_QID. This builds the message to store there
 * once it is due, without the parking properties named in `drop`.
 */
import type { MessageInput, StoredMessage } from '../common/index.js';
import { MessageConst, decodeProperties, encodeProperties } from '../common/index.js';

export function unparkedMessage(m: StoredMessage, drop: readonly string[]): MessageInput | undefined {
  const props = decodeProperties(m.properties);
  const topic = props.get(MessageConst.PROPERTY_REAL_TOPIC);
  const queueId = Number(props.get(MessageConst.PROPERTY_REAL_QUEUE_ID));
  if (topic === undefined || !Number.isInteger(queueId)) return undefined;
  for (const k of drop) props.delete(k);
  return {
    topic,
    queueId,
    flag: m.flag,
    body: m.body,
    properties: encodeProperties(props),
    sysFlag: m.sysFlag,
    bornTimestamp: m.bornTimestamp,
    bornHost: m.bornHost,
    storeHost: m.storeHost,
    reconsumeTimes: m.reconsumeTimes,
    preparedTransactionOffset: 0,
  };
}
