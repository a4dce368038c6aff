/** Send and long-poll pull over the wire, for broker tests built on admin-harness. */
import assert from 'node:assert/strict';
import { decodeStoredMessage, encodeProperties } from '../../src/common/index.js';
import type { StoredMessage } from '../../src/common/index.js';
import type { RemotingCommand } from '../../src/protocol/index.js';
import { PullSysFlag, RequestCode, ResponseCode, encodeSendMessageRequestHeaderV2 } from '../../src/protocol/index.js';
import type { AdminHarness } from './admin-harness.js';

export async function send(h: AdminHarness, topic: string, body: string, props: Record<string, string> = {}): Promise<RemotingCommand> {
  const ext = encodeSendMessageRequestHeaderV2({
    producerGroup: 'PG', topic, defaultTopic: 'TBW102', defaultTopicQueueNums: 1, queueId: 0, sysFlag: 0,
    bornTimestamp: Date.now(), flag: 0, properties: encodeProperties(props),
  });
  const r = await h.call(RequestCode.SEND_MESSAGE_V2, ext, Buffer.from(body));
  assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
  return r;
}

/** Long-polls queue 0 of `topic` from `offset` until a message arrives. */
export async function pullOne(h: AdminHarness, topic: string, offset: number, suspendMs = 15_000): Promise<StoredMessage | undefined> {
  const r = await h.client.invoke(h.addr, {
    code: RequestCode.PULL_MESSAGE, language: 'JAVA', version: 409, opaque: 0, flag: 0,
    extFields: {
      consumerGroup: 'CG', topic, queueId: '0', queueOffset: String(offset), maxMsgNums: '1',
      sysFlag: String(PullSysFlag.FLAG_SUSPEND | PullSysFlag.FLAG_SUBSCRIPTION), commitOffset: '0',
      suspendTimeoutMillis: String(suspendMs), subscription: '*', subVersion: '0',
    },
  }, suspendMs + 5_000);
  return r.code === ResponseCode.SUCCESS && r.body ? decodeStoredMessage(r.body) : undefined;
}

