/**
 * One typed method per wire call the SDK makes (Java MQClientAPIImpl). Each
 * builds the request, invokes it and turns the response into a result or a
 * typed error (ResponseError with the broker's code via responseToError;
 * TimeoutError / ConnectionError from remoting; ABORTED when a signal fires).
 */
import { ConnectionError, ProtocolError, TimeoutError, getErrorMessage, type Logger } from '../common/index.js';
import {
  ConsumerSendMsgBackRequestHeader, EndTransactionRequestHeader, GetConsumerListByGroupRequestHeader, GetOffsetRequestHeader,
  GetRouteInfoRequestHeader, OffsetResponseHeader, PullMessageRequestHeader, PullMessageResponseHeader,
  QueryConsumerOffsetRequestHeader, QueryConsumerOffsetResponseHeader, RequestCode, ResponseCode, SearchOffsetRequestHeader,
  SendMessageResponseHeader, UnregisterClientRequestHeader, UpdateConsumerOffsetRequestHeader, createRequest,
  encodeSendMessageRequestHeaderV2, parseRocketMQJson, responseToError,
  type JsonValue, type RemotingCommand, type SendMessageRequestHeader,
} from '../protocol/index.js';
import type { RemotingClient } from '../remoting/index.js';
import { encodeHeartbeat, type HeartbeatData } from './heartbeat.js';
import { decodeMessages, type MessageExt } from './message-ext.js';
import { isReplyProperties } from './request-reply/reply-message.js';
import { parseTopicRouteData, type MessageQueue, type TopicRouteData } from './route.js';

/**
 * Outcome of a send (Java `SendStatus`), plus OrbitMQ's `SPOOLED`: no broker
 * accepted it, so it waits in the producer's local spool (`spoolDir`).
 */
export type SendStatus = 'SEND_OK' | 'FLUSH_DISK_TIMEOUT' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE' | 'SPOOLED';

/** Java `SendResult`. */
export interface SendResult {
  readonly status: SendStatus;
  /** The client id(s) (`UNIQ_KEY`); comma-joined for a batch. */
  readonly msgId: string;
  /** Broker id(s): store host + commit-log offset; comma-joined for a batch. */
  readonly offsetMsgId: string;
  readonly messageQueue: MessageQueue;
  /** Consume-queue offset of the (first) message; -1 when the broker did not say. */
  readonly queueOffset: number;
  readonly regionId: string | undefined;
  readonly traceOn: boolean;
  /** 5.x brokers only. */
  readonly transactionId: string | undefined;
}

/** Java `PullStatus`. */
export type PullStatus = 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL';

/** Java `PullResult` (messages not yet re-filtered by tag; see matchesSubscription). */
export interface PullResult {
  readonly status: PullStatus;
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly suggestWhichBrokerId: number;
  readonly messages: MessageExt[];
}

export interface CallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface LockBatchRequest {
  readonly consumerGroup: string;
  readonly clientId: string;
  readonly mqSet: readonly MessageQueue[];
}

const STATUS_BY_CODE: ReadonlyMap<number, SendStatus> = new Map([
  [ResponseCode.SUCCESS, 'SEND_OK'],
  [ResponseCode.FLUSH_DISK_TIMEOUT, 'FLUSH_DISK_TIMEOUT'],
  [ResponseCode.FLUSH_SLAVE_TIMEOUT, 'FLUSH_SLAVE_TIMEOUT'],
  [ResponseCode.SLAVE_NOT_AVAILABLE, 'SLAVE_NOT_AVAILABLE'],
]);

export class MQClientAPI {
  private readonly namesrvAddrs: readonly string[];
  private namesrvIndex: number;

  constructor(
    readonly remoting: RemotingClient,
    namesrvAddrs: readonly string[],
    private readonly defaultTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.namesrvAddrs = namesrvAddrs;
    this.namesrvIndex = Math.floor(Math.random() * namesrvAddrs.length);
  }

  /** The name server currently used. */
  get currentNamesrv(): string {
    return this.namesrvAddrs[this.namesrvIndex % this.namesrvAddrs.length] ?? '';
  }

  /** A request to some name server, failing over to the next on connection errors and timeouts. */
  async invokeNamesrv(cmd: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    let last: unknown;
    for (let i = 0; i < this.namesrvAddrs.length; i++) {
      const addr = this.currentNamesrv;
      try {
        return await this.remoting.invoke(addr, { ...cmd, extFields: { ...cmd.extFields } }, timeoutMs);
      } catch (err: unknown) {
        if (!(err instanceof ConnectionError || err instanceof TimeoutError)) throw err;
        last = err;
        this.logger.warn('name server unreachable, trying the next', { addr, error: getErrorMessage(err) });
        this.namesrvIndex = (this.namesrvIndex + 1) % this.namesrvAddrs.length;
      }
    }
    throw last instanceof Error ? last : new ConnectionError('no name server reachable');
  }

  /** GET_ROUTEINFO_BY_TOPIC (105). Undefined when the name server does not know the topic (TOPIC_NOT_EXIST). */
  async getTopicRouteInfo(topic: string, timeoutMs = this.defaultTimeoutMs): Promise<TopicRouteData | undefined> {
    const cmd = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, {
      extFields: GetRouteInfoRequestHeader.encode({ topic, acceptStandardJsonOnly: true }),
    });
    const res = await this.invokeNamesrv(cmd, timeoutMs);
    if (res.code === ResponseCode.TOPIC_NOT_EXIST) return undefined;
    if (res.code !== ResponseCode.SUCCESS) throw responseToError(res.code, res.remark);
    if (res.body === undefined || res.body.length === 0) return undefined;
    return parseTopicRouteData(res.body);
  }

  /**
   * SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320) when `header.batch`, or
   * SEND_REPLY_MESSAGE_V2 (325) for a reply (property MSG_TYPE=reply).
   * `msgId` is the UNIQ_KEY (comma-joined for batches) reported in the result.
   */
  async sendMessage(
    addr: string, mq: MessageQueue, header: SendMessageRequestHeader, body: Buffer, msgId: string, opts: CallOptions = {},
  ): Promise<SendResult> {
    const code = sendCode(header);
    const cmd = createRequest(code, { extFields: encodeSendMessageRequestHeaderV2(header), body });
    const res = await this.remoting.invoke(addr, cmd, opts.timeoutMs ?? this.defaultTimeoutMs, opts.signal);
    const status = STATUS_BY_CODE.get(res.code);
    if (status === undefined) throw responseToError(res.code, res.remark);
    const ext = res.extFields;
    let offsetMsgId = '';
    let queueId = mq.queueId;
    let queueOffset = -1;
    let transactionId: string | undefined;
    try {
      const h = SendMessageResponseHeader.decode(ext);
      offsetMsgId = h.msgId;
      queueId = h.queueId;
      queueOffset = h.queueOffset;
      transactionId = h.transactionId;
    } catch (err: unknown) {
      // A stored-but-degraded answer (e.g. FLUSH_SLAVE_TIMEOUT) may lack the header; SUCCESS must not.
      if (status === 'SEND_OK') throw new ProtocolError(`bad send response: ${getErrorMessage(err)}`, { cause: err });
    }
    return {
      status,
      msgId,
      offsetMsgId,
      messageQueue: { topic: mq.topic, brokerName: mq.brokerName, queueId },
      queueOffset,
      regionId: ext.MSG_REGION,
      traceOn: ext.TRACE_ON !== 'false',
      transactionId,
    };
  }

  /** SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE as a oneway request: no answer, no result. */
  async sendOneway(addr: string, header: SendMessageRequestHeader, body: Buffer, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    const code = sendCode(header);
    await this.remoting.invokeOneway(addr, createRequest(code, { extFields: encodeSendMessageRequestHeaderV2(header), body, oneway: true }), timeoutMs);
  }

  /**
   * PULL_MESSAGE (11). With FLAG_SUSPEND the broker may hold the request up to
   * `suspendTimeoutMillis`; the default timeout is that plus the request
   * timeout (pass a larger one explicitly if you like). Abort with `signal`.
   */
  async pullMessage(addr: string, brokerName: string, header: PullMessageRequestHeader, opts: CallOptions = {}): Promise<PullResult> {
    const cmd = createRequest(RequestCode.PULL_MESSAGE, { extFields: PullMessageRequestHeader.encode(header) });
    const timeoutMs = opts.timeoutMs ?? header.suspendTimeoutMillis + this.defaultTimeoutMs;
    const res = await this.remoting.invoke(addr, cmd, timeoutMs, opts.signal);
    let status: PullStatus;
    switch (res.code) {
      case ResponseCode.SUCCESS: status = 'FOUND'; break;
      case ResponseCode.PULL_NOT_FOUND: status = 'NO_NEW_MSG'; break;
      case ResponseCode.PULL_RETRY_IMMEDIATELY: status = 'NO_MATCHED_MSG'; break;
      case ResponseCode.PULL_OFFSET_MOVED: status = 'OFFSET_ILLEGAL'; break;
      default: throw responseToError(res.code, res.remark);
    }
    const h = PullMessageResponseHeader.decode(res.extFields);
    const messages = status === 'FOUND' && res.body !== undefined ? decodeMessages(res.body, brokerName) : [];
    return {
      status,
      nextBeginOffset: h.nextBeginOffset,
      minOffset: h.minOffset,
      maxOffset: h.maxOffset,
      suggestWhichBrokerId: h.suggestWhichBrokerId,
      messages,
    };
  }

  /** QUERY_CONSUMER_OFFSET (14). Undefined when the broker has no offset (QUERY_NOT_FOUND). */
  async queryConsumerOffset(addr: string, header: QueryConsumerOffsetRequestHeader, timeoutMs = this.defaultTimeoutMs): Promise<number | undefined> {
    const res = await this.call(addr, RequestCode.QUERY_CONSUMER_OFFSET, QueryConsumerOffsetRequestHeader.encode(header), timeoutMs, [ResponseCode.QUERY_NOT_FOUND]);
    if (res.code === ResponseCode.QUERY_NOT_FOUND) return undefined;
    return QueryConsumerOffsetResponseHeader.decode(res.extFields).offset;
  }

  /** UPDATE_CONSUMER_OFFSET (15), waiting for the answer. */
  async updateConsumerOffset(addr: string, header: UpdateConsumerOffsetRequestHeader, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    await this.call(addr, RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader.encode(header), timeoutMs);
  }

  /** UPDATE_CONSUMER_OFFSET (15) oneway, as the Java client persists offsets. */
  async updateConsumerOffsetOneway(addr: string, header: UpdateConsumerOffsetRequestHeader, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    const cmd = createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { extFields: UpdateConsumerOffsetRequestHeader.encode(header), oneway: true });
    await this.remoting.invokeOneway(addr, cmd, timeoutMs);
  }

  /** HEART_BEAT (34). */
  async heartbeat(addr: string, data: HeartbeatData, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    await this.call(addr, RequestCode.HEART_BEAT, {}, timeoutMs, [], encodeHeartbeat(data));
  }

  /** UNREGISTER_CLIENT (35). */
  async unregisterClient(addr: string, clientID: string, groups: { producerGroup?: string; consumerGroup?: string }, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    await this.call(addr, RequestCode.UNREGISTER_CLIENT, UnregisterClientRequestHeader.encode({ clientID, ...groups }), timeoutMs);
  }

  /** GET_CONSUMER_LIST_BY_GROUP (38): client ids of the group's live consumers. */
  async getConsumerIdListByGroup(addr: string, consumerGroup: string, timeoutMs = this.defaultTimeoutMs): Promise<string[]> {
    const res = await this.call(addr, RequestCode.GET_CONSUMER_LIST_BY_GROUP, GetConsumerListByGroupRequestHeader.encode({ consumerGroup }), timeoutMs);
    const body = parseJsonObject(res.body, 'GetConsumerListByGroupResponseBody');
    const ids = body.consumerIdList;
    if (ids === undefined || ids === null) return [];
    if (!Array.isArray(ids) || !ids.every((x): x is string => typeof x === 'string')) throw new ProtocolError('consumerIdList is not a string array');
    return ids;
  }

  /** LOCK_BATCH_MQ (41): the queues the broker locked for this client. */
  async lockBatchMQ(addr: string, req: LockBatchRequest, timeoutMs = this.defaultTimeoutMs): Promise<MessageQueue[]> {
    const res = await this.call(addr, RequestCode.LOCK_BATCH_MQ, {}, timeoutMs, [], lockBody(req));
    const body = parseJsonObject(res.body, 'LockBatchResponseBody');
    const set = body.lockOKMQSet;
    if (set === undefined || set === null) return [];
    if (!Array.isArray(set)) throw new ProtocolError('lockOKMQSet is not an array');
    return set.map((v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError('bad MessageQueue in lockOKMQSet');
      const { topic, brokerName, queueId } = v;
      if (typeof topic !== 'string' || typeof brokerName !== 'string' || typeof queueId !== 'number') {
        throw new ProtocolError('bad MessageQueue in lockOKMQSet');
      }
      return { topic, brokerName, queueId };
    });
  }

  /** UNLOCK_BATCH_MQ (42); `oneway` as the Java client does on shutdown. */
  async unlockBatchMQ(addr: string, req: LockBatchRequest, oneway = false, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    if (oneway) {
      await this.remoting.invokeOneway(addr, createRequest(RequestCode.UNLOCK_BATCH_MQ, { body: lockBody(req), oneway: true }), timeoutMs);
      return;
    }
    await this.call(addr, RequestCode.UNLOCK_BATCH_MQ, {}, timeoutMs, [], lockBody(req));
  }

  /** CONSUMER_SEND_MSG_BACK (36): hand a failed message back for redelivery via %RETRY%. */
  async consumerSendMessageBack(addr: string, header: ConsumerSendMsgBackRequestHeader, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    await this.call(addr, RequestCode.CONSUMER_SEND_MSG_BACK, ConsumerSendMsgBackRequestHeader.encode(header), timeoutMs);
  }

  /** GET_MAX_OFFSET (30). */
  async getMaxOffset(addr: string, topic: string, queueId: number, timeoutMs = this.defaultTimeoutMs): Promise<number> {
    const res = await this.call(addr, RequestCode.GET_MAX_OFFSET, GetOffsetRequestHeader.encode({ topic, queueId }), timeoutMs);
    return OffsetResponseHeader.decode(res.extFields).offset;
  }

  /** GET_MIN_OFFSET (31). */
  async getMinOffset(addr: string, topic: string, queueId: number, timeoutMs = this.defaultTimeoutMs): Promise<number> {
    const res = await this.call(addr, RequestCode.GET_MIN_OFFSET, GetOffsetRequestHeader.encode({ topic, queueId }), timeoutMs);
    return OffsetResponseHeader.decode(res.extFields).offset;
  }

  /** SEARCH_OFFSET_BY_TIMESTAMP (29). */
  async searchOffset(addr: string, topic: string, queueId: number, timestamp: number, timeoutMs = this.defaultTimeoutMs): Promise<number> {
    const res = await this.call(addr, RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, SearchOffsetRequestHeader.encode({ topic, queueId, timestamp }), timeoutMs);
    return OffsetResponseHeader.decode(res.extFields).offset;
  }

  /** END_TRANSACTION (37), oneway like the Java client; `remark` carries the local failure, if any. */
  async endTransactionOneway(addr: string, header: EndTransactionRequestHeader, remark?: string, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    const cmd = createRequest(RequestCode.END_TRANSACTION, { extFields: EndTransactionRequestHeader.encode(header), remark, oneway: true });
    await this.remoting.invokeOneway(addr, cmd, timeoutMs);
  }

  private async call(
    addr: string, code: number, extFields: Record<string, string>, timeoutMs: number, accept: readonly number[] = [], body?: Buffer,
  ): Promise<RemotingCommand> {
    const res = await this.remoting.invoke(addr, createRequest(code, { extFields, body }), timeoutMs);
    if (res.code !== ResponseCode.SUCCESS && !accept.includes(res.code)) throw responseToError(res.code, res.remark);
    return res;
  }
}

/** MQClientAPIImpl.sendMessage's choice of request code. */
function sendCode(header: SendMessageRequestHeader): number {
  if (header.batch === true) return RequestCode.SEND_BATCH_MESSAGE;
  return isReplyProperties(header.properties) ? RequestCode.SEND_REPLY_MESSAGE_V2 : RequestCode.SEND_MESSAGE_V2;
}

function lockBody(req: LockBatchRequest): Buffer {
  return Buffer.from(JSON.stringify({
    clientId: req.clientId,
    consumerGroup: req.consumerGroup,
    mqSet: req.mqSet.map((mq) => ({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic })),
  }), 'utf8');
}

function parseJsonObject(body: Buffer | undefined, what: string): { [key: string]: JsonValue } {
  if (body === undefined || body.length === 0) return {};
  const v = parseRocketMQJson(body.toString('utf8'));
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`${what} is not a JSON object`);
  return v;
}
