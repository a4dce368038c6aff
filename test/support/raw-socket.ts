/**
 * Raw remoting frames and ready-made wire requests for integration tests that
 * talk to a real broker / name server (remoting.md §2, §6). Raw sockets come
 * from test/remoting/support.ts (`rawConnect`); this file only builds bytes
 * and requests.
 */
import {
  RequestCode, createRequest, encodeSendMessageRequestHeaderV2, type RemotingCommand,
} from '../../src/protocol/index.js';
export { seededRandom as rng } from '../../src/common/index.js';


/** `n` seeded random bytes. */
export function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** The 8-byte frame prefix: int32 length, then int32 (serialize type << 24 | header length). */
export function framePrefix(length: number, word: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(length | 0, 0);
  b.writeUInt32BE(word >>> 0, 4);
  return b;
}

/** A frame whose JSON header is `text` verbatim (no body). */
export function jsonFrame(text: string): Buffer {
  const h = Buffer.from(text);
  return Buffer.concat([framePrefix(4 + h.length, h.length), h]);
}

/** Malformed frames every remoting port must reject by closing the connection. */
export function malformedFrames(): [string, Buffer][] {
  return [
    ['2 GiB length prefix', framePrefix(0x7fffffff, 0)],
    ['negative length', framePrefix(-1, 0)],
    ['header length beyond the frame', Buffer.concat([framePrefix(4 + 10, 1000), Buffer.alloc(10)])],
    ['broken JSON header', jsonFrame('{"code":310,"opaque":')],
  ];
}

export interface SendOptions {
  readonly queueId?: number;
  readonly producerGroup?: string;
  readonly properties?: string;
}

/** SEND_MESSAGE_V2 (310) as the Java producer sends it (defaultTopic TBW102, 4 queues). */
export function sendV2(topic: string, body: Buffer, opts: SendOptions = {}): RemotingCommand {
  return createRequest(RequestCode.SEND_MESSAGE_V2, { extFields: sendHeader(topic, opts), body });
}

/** SEND_BATCH_MESSAGE (320) with the V2 header (`m`=true) and `body` as the batch encoding. */
export function sendBatch(topic: string, body: Buffer, opts: SendOptions = {}): RemotingCommand {
  return createRequest(RequestCode.SEND_BATCH_MESSAGE, { extFields: sendHeader(topic, opts, true), body });
}

function sendHeader(topic: string, opts: SendOptions, batch = false): Record<string, string> {
  return encodeSendMessageRequestHeaderV2({
    producerGroup: opts.producerGroup ?? 'integration-producer',
    topic,
    defaultTopic: 'TBW102',
    defaultTopicQueueNums: 4,
    queueId: opts.queueId ?? 0,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    flag: 0,
    properties: opts.properties ?? '',
    ...(batch ? { batch: true } : {}),
  });
}

/** PULL_MESSAGE (11) without long polling, with an explicit `*` subscription. */
export function pullRequest(group: string, topic: string, queueId: number, queueOffset: number, maxMsgNums = 32): RemotingCommand {
  return createRequest(RequestCode.PULL_MESSAGE, {
    extFields: {
      consumerGroup: group,
      topic,
      queueId: String(queueId),
      queueOffset: String(queueOffset),
      maxMsgNums: String(maxMsgNums),
      sysFlag: String(0x4),
      commitOffset: '0',
      suspendTimeoutMillis: '0',
      subscription: '*',
      subVersion: '0',
      expressionType: 'TAG',
    },
  });
}

/** GET_ROUTEINFO_BY_TOPIC (105). */
export function routeRequest(topic: string): RemotingCommand {
  return createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic } });
}

/** The broker addresses (all ids) in a standard-JSON TopicRouteData body. */
export function routeBrokerAddrs(res: RemotingCommand): string[] {
  const parsed: unknown = JSON.parse(res.body?.toString('utf8') ?? '{}');
  const out: string[] = [];
  if (typeof parsed !== 'object' || parsed === null || !('brokerDatas' in parsed) || !Array.isArray(parsed.brokerDatas)) return out;
  for (const bd of parsed.brokerDatas as unknown[]) {
    if (typeof bd !== 'object' || bd === null || !('brokerAddrs' in bd)) continue;
    const addrs = bd.brokerAddrs;
    if (typeof addrs !== 'object' || addrs === null) continue;
    for (const v of Object.values(addrs)) if (typeof v === 'string') out.push(v);
  }
  return out.sort();
}
