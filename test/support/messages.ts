import type { MessageInput } from '../../src/common/index.js';
import { LOOPBACK_HOST, encodeProperties } from '../../src/common/index.js';

export const STORE_HOST = { address: Uint8Array.of(127, 0, 0, 1), port: 10911 };

/** A message for store tests; `props` become its property string. */
export function makeMessage(
  topic: string,
  queueId: number,
  body: Uint8Array | string,
  props: Record<string, string> = {},
  extra: Partial<MessageInput> = {},
): MessageInput {
  return {
    topic,
    queueId,
    flag: 0,
    body: typeof body === 'string' ? Buffer.from(body) : body,
    properties: encodeProperties(props),
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: { address: LOOPBACK_HOST.address, port: 50000 },
    storeHost: STORE_HOST,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    ...extra,
  };
}
