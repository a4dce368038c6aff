/**
 * The producer (Java DefaultMQProducer / DefaultMQProducerImpl.sendDefaultImpl,
 * sendSelectImpl, sendKernelImpl): routes from the name servers with TBW102
 * fallback for auto-creation, round-robin queue choice with latency fault
 * avoidance, retries on another broker, per-call timeout and AbortSignal,
 * ordered sends, batches, oneway, hooks.
 */
import {
  ConnectionError, InvalidArgumentError, MessageConst, OrbitError, TimeoutError, getErrorMessage, type Clock, type Logger,
} from '../common/index.js';
import { BufferSlab, encodeBatchBody, type BatchItem, type SendMessageRequestHeader } from '../protocol/index.js';
import { withSignal } from './abort.js';
import { checkIntOption, resolveClientOptions, type ClientOptions } from './client-options.js';
import { AbortError, ClientStateError, InvalidMessageError, MessageTooLargeError, NoRouteError, isAbortError } from './errors.js';
import { SpoolDrainer, isUnavailable } from './producer-spool.js';
import { AutoBatcher, type AutoBatchOptions } from './auto-batcher.js';
import { LatencyFaultTolerance } from './latency-fault-tolerance.js';
import { encodeBatchItem, encodeMessage, maybeCompress, propertiesString, type Message } from './message.js';
import type { MessageExt } from './message-ext.js';
import type { SendResult } from './mq-client-api.js';
import { MQClientInstance, type ProducerHandle } from './mq-client-instance.js';
import { RoundRobinQueuePicker, selectByHash, type MessageQueueSelector } from './queue-selector.js';
import type { MessageQueue, TopicPublishInfo } from './route.js';
import { replyProperties, requestProperties } from './request-reply/reply-message.js';
import type { SendContext, SendHooks, SendOutcome } from './send-hooks.js';
import { TraceDispatcher, resolveTraceOption, traceSenderSettings, type TraceOptions } from './trace/trace-dispatcher.js';
import { sendTraceHooks } from './trace/trace-hooks.js';
import { UniqIdGenerator } from './uniq-id.js';

export interface ProducerOptions extends ClientOptions {
  /** Producer group (Java producerGroup). */
  readonly group: string;
  /** Extra attempts after a failed send, on another broker when one exists. Default 2. */
  readonly retryTimesWhenSendFailed?: number;
  /** Default per-call timeout, covering all attempts. Default 3000. */
  readonly sendTimeoutMs?: number;
  /** Compress (zlib level 5) single-message bodies of at least this many bytes. Default 4096. */
  readonly compressThreshold?: number;
  /** Largest body (or batch) accepted. Default 4 MiB (the broker's default). */
  readonly maxMessageSize?: number;
  /** Queues of a topic the broker auto-creates from the template topic. Default 4. */
  readonly defaultTopicQueueNums?: number;
  /** Template topic for auto-creation (Java createTopicKey). Default `TBW102`. */
  readonly createTopicKey?: string;
  /** Avoid slow or failing brokers for a while (Java sendLatencyFaultEnable; on by default here). */
  readonly sendLatencyFaultEnable?: boolean;
  /** Retry when the broker stored the message but answered FLUSH_*_TIMEOUT / SLAVE_NOT_AVAILABLE. Default false. */
  readonly retryAnotherBrokerWhenNotStoreOK?: boolean;
  readonly hooks?: SendHooks | readonly SendHooks[];
  /** Share a client instance (connections, routes, heartbeats) with other producers/consumers; you shut it down. */
  readonly clientInstance?: MQClientInstance;
  /** Message trace: write a Pub record of every send to the trace topic (Java enableMsgTrace). Default off. */
  readonly trace?: boolean | TraceOptions;
  /**
   * A directory for a durable local spool: sends that no broker accepts are
   * kept there (the send resolves with status SPOOLED) and sent, in order,
   * when brokers accept again. Off by default.
   */
  readonly spoolDir?: string;
  /** How often the spool retries its oldest message. Default 1000. */
  readonly spoolDrainIntervalMs?: number;
  /**
   * Batch concurrent single sends to one topic (made in the same event-loop
   * turn) into one request, as RocketMQ 5's autoBatch. Each send still gets
   * its own result. Off by default; messages with a delay, a sharding key, a
   * chosen queue or a body over `compressThreshold` are always sent alone.
   */
  readonly autoBatch?: boolean | AutoBatchOptions;
}

/** Per-call send options. */
export interface SendOptions {
  /** Overall deadline of this call (all attempts); default `sendTimeoutMs`. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Send to exactly this queue (no retries on other queues). */
  readonly queue?: MessageQueue;
  /** Choose the queue yourself (no retries on other queues). */
  readonly selector?: MessageQueueSelector;
  /** Ordered send: same key → same queue (overrides `message.shardingKey`). */
  readonly shardingKey?: string;
}

/** Options of `request`: the timeout covers the send and the wait for the reply. */
export type RequestOptions = SendOptions;

/** A message in wire form, ready for any attempt. */
export interface PreparedSend {
  readonly topic: string;
  readonly body: Buffer;
  readonly sysFlag: number;
  readonly flag: number;
  readonly properties: string;
  readonly msgId: string;
  readonly batch: boolean;
  readonly message: Message | readonly Message[];
  readonly selector: MessageQueueSelector | undefined;
  /** Sends to a `%RETRY%` topic carry the consumer's counts in the request header (sendKernelImpl). */
  readonly reconsumeTimes?: number;
  readonly maxReconsumeTimes?: number;
}

type State = 'CREATED' | 'RUNNING' | 'SHUTDOWN';
/** The options of a send given none (one object, not one per call). */
const NO_OPTIONS: SendOptions = Object.freeze({});
/** The property string of a batch request: WAIT of its first message. */
const BATCH_PROPS_WAIT = propertiesString(new Map([[MessageConst.PROPERTY_WAIT_STORE_MSG_OK, 'true']]));
const BATCH_PROPS_NO_WAIT = propertiesString(new Map([[MessageConst.PROPERTY_WAIT_STORE_MSG_OK, 'false']]));
const DEFAULT_PRODUCER_GROUP = 'DEFAULT_PRODUCER';

export class Producer {
  readonly group: string;
  protected readonly instance: MQClientInstance;
  protected readonly logger: Logger;
  protected readonly clock: Clock;
  private readonly ownsInstance: boolean;
  private readonly retryTimes: number;
  private readonly sendTimeoutMs: number;
  private readonly compressThreshold: number;
  private readonly maxMessageSize: number;
  private readonly defaultTopicQueueNums: number;
  private readonly createTopicKey: string;
  private readonly retryNotStoreOK: boolean;
  private readonly hooks: readonly SendHooks[];
  private readonly tracer: TraceDispatcher | undefined;
  private readonly spool: SpoolDrainer | undefined;
  private readonly batcher: AutoBatcher | undefined;
  private readonly faults: LatencyFaultTolerance | undefined;
  private readonly picker: RoundRobinQueuePicker;
  private readonly ids: UniqIdGenerator;
  /** Where batch bodies are carved from (no ArrayBuffer per batch). */
  private readonly batchBodies = new BufferSlab();
  private state: State = 'CREATED';

  constructor(options: ProducerOptions) {
    const resolved = options.clientInstance?.options ?? resolveClientOptions(options);
    if (typeof options.group !== 'string' || !/^[%|a-zA-Z0-9_-]{1,255}$/.test(options.group)) {
      throw new InvalidArgumentError('group must be 1-255 characters of [%|a-zA-Z0-9_-]');
    }
    if (options.group === DEFAULT_PRODUCER_GROUP) throw new InvalidArgumentError(`${DEFAULT_PRODUCER_GROUP} is reserved; choose a group name`);
    this.group = options.group;
    this.retryTimes = checkIntOption('retryTimesWhenSendFailed', options.retryTimesWhenSendFailed ?? 2, 0, 100);
    this.sendTimeoutMs = checkIntOption('sendTimeoutMs', options.sendTimeoutMs ?? 3_000, 1, 2_147_483_647);
    this.compressThreshold = checkIntOption('compressThreshold', options.compressThreshold ?? 4096, 0, 2_147_483_647);
    this.maxMessageSize = checkIntOption('maxMessageSize', options.maxMessageSize ?? 4 * 1024 * 1024, 1, 16 * 1024 * 1024 - 64 * 1024);
    this.defaultTopicQueueNums = checkIntOption('defaultTopicQueueNums', options.defaultTopicQueueNums ?? 4, 1, 1024);
    this.createTopicKey = options.createTopicKey ?? 'TBW102';
    this.retryNotStoreOK = options.retryAnotherBrokerWhenNotStoreOK ?? false;
    this.hooks = options.hooks === undefined ? [] : Array.isArray(options.hooks) ? [...(options.hooks as readonly SendHooks[])] : [options.hooks as SendHooks];
    this.ownsInstance = options.clientInstance === undefined;
    this.instance = options.clientInstance ?? new MQClientInstance(resolved);
    this.clock = resolved.clock;
    this.logger = resolved.logger.child({ component: 'client.producer', group: this.group });
    this.faults = options.sendLatencyFaultEnable === false ? undefined : new LatencyFaultTolerance(this.clock);
    this.picker = new RoundRobinQueuePicker(this.faults);
    this.ids = new UniqIdGenerator(resolved.clientIP, this.clock);
    this.batcher = options.autoBatch === undefined || options.autoBatch === false
      ? undefined
      : new AutoBatcher((msgs, o) => this.sendBatch(msgs, o), options.autoBatch === true ? {} : options.autoBatch);
    this.spool = options.spoolDir === undefined ? undefined : new SpoolDrainer(
      options.spoolDir,
      (m) => this.dispatch(this.prepareSingle(m, {}, undefined), {}),
      () => this.state === 'RUNNING',
      this.logger,
      checkIntOption('spoolDrainIntervalMs', options.spoolDrainIntervalMs ?? 1000, 10, 3_600_000),
    );
    const trace = resolveTraceOption(options.trace);
    if (trace !== undefined) {
      const sender = new Producer({ ...traceSenderSettings(this.group, 'PRODUCE'), namesrvAddr: resolved.namesrvAddrs, clientInstance: this.instance });
      this.tracer = new TraceDispatcher(sender, { ...trace, logger: resolved.logger, clock: this.clock, clientId: this.instance.clientId });
      this.hooks = [...this.hooks, sendTraceHooks(this.tracer, this.clock)];
    }
  }

  /** The id brokers know this client by (`ip@instanceName`). */
  get clientId(): string {
    return this.instance.clientId;
  }

  /** Registers the group and starts the client instance. Idempotent. */
  async start(): Promise<void> {
    if (this.state === 'RUNNING') return;
    if (this.state === 'SHUTDOWN') throw new ClientStateError('producer was shut down');
    if (!this.instance.registerProducer(this.group, this.handle())) {
      throw new ClientStateError(`producer group ${this.group} is already registered on client ${this.instance.clientId}`);
    }
    this.instance.start();
    this.state = 'RUNNING';
    // Like the Java producer (which keeps the createTopicKey route from the
    // start): learn the brokers from the template topic and announce the group
    // to them, so a restarted transaction producer answers check-backs before
    // it sends anything. Best effort: without the template there is no route.
    await this.instance.updateTopicRoute(this.createTopicKey).catch(() => undefined);
    await this.instance.sendHeartbeatNow();
    await this.tracer?.start();
  }

  /** Unregisters from the brokers and (if it owns it) closes the client instance. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.state === 'SHUTDOWN') return;
    const wasRunning = this.state === 'RUNNING';
    this.state = 'SHUTDOWN';
    if (wasRunning) await this.instance.unregisterProducer(this.group);
    await this.spool?.close();
    await this.tracer?.shutdown();
    if (this.ownsInstance) await this.instance.shutdown();
  }

  /** Sends one message and waits for the broker's answer. */
  send(message: Message, opts: SendOptions = NO_OPTIONS): Promise<SendResult> {
    // The common autoBatch case without a signal: straight to the batcher, no async wrapper per send.
    if (opts.signal === undefined && this.batcher !== undefined && this.spool === undefined && this.state === 'RUNNING' &&
      typeof message === 'object' && message !== null && opts.queue === undefined && opts.selector === undefined &&
      opts.shardingKey === undefined) {
      try {
        if (replyProperties(message) === undefined && AutoBatcher.eligible(message, this.compressThreshold)) return this.batcher.add(message, opts);
      } catch (err: unknown) {
        return Promise.reject(err);
      }
    }
    return withSignal(opts.signal, 'send', async () => {
      // A reply (createReplyMessage) carries MSG_TYPE=reply and goes out as SEND_REPLY_MESSAGE_V2.
      const reply = replyProperties(message);
      const spool = this.spool;
      if (this.batcher !== undefined && spool === undefined && reply === undefined && opts.queue === undefined && opts.selector === undefined &&
        opts.shardingKey === undefined && AutoBatcher.eligible(message, this.compressThreshold)) {
        this.checkRunning();
        return this.batcher.add(message, opts);
      }
      if (spool === undefined || reply !== undefined) {
        return this.dispatch(this.prepareSingle(message, opts, reply === undefined ? undefined : { props: reply, sysFlag: 0 }), opts);
      }
      // With a spool: keep the order — while anything waits there, new sends join it.
      if (!spool.isEmpty) {
        const r = spool.add(message);
        void spool.drain();
        return r;
      }
      try {
        return await this.dispatch(this.prepareSingle(message, opts, undefined), opts);
      } catch (err: unknown) {
        if (!isUnavailable(err)) throw err;
        this.logger.warn('no broker accepts the message; spooled', { topic: message.topic });
        return spool.add(message);
      }
    });
  }

  /**
   * Request-reply (Java DefaultMQProducer.request): sends `message` with a
   * fresh CORRELATION_ID, REPLY_TO_CLIENT = this client and TTL = the timeout,
   * and resolves with the reply a replier sent (`createReplyMessage`). Rejects
   * with TimeoutError when no reply comes within `timeoutMs` (default
   * `sendTimeoutMs`; it covers the send), AbortError when `signal` fires, or
   * the send's error.
   */
  async request(message: Message, opts: RequestOptions = {}): Promise<MessageExt> {
    this.checkRunning();
    const timeoutMs = checkIntOption('timeoutMs', opts.timeoutMs ?? this.sendTimeoutMs, 1, 2_147_483_647);
    const started = this.clock.now();
    const { correlationId, props } = requestProperties(this.instance.clientId, timeoutMs);
    const req = this.prepareSingle(message, opts, { props, sysFlag: 0 });
    const pending = this.instance.requests.register(correlationId, timeoutMs, opts.signal, `request to ${req.topic}`);
    void (async () => {
      // Java prepareSendRequest: a new topic → learn its brokers and heartbeat them, so the reply push finds us.
      if (this.instance.getRoute(req.topic) === undefined) {
        await this.publishInfo(req.topic);
        await this.instance.sendHeartbeatNow();
      }
      await this.dispatch(req, { ...opts, timeoutMs: Math.max(1, timeoutMs - (this.clock.now() - started)) });
    })().catch((err: unknown) => pending.fail(err));
    return pending.promise;
  }

  /** Sends one message without waiting for an answer (no result, no retries). */
  sendOneway(message: Message, opts: Omit<SendOptions, 'timeoutMs'> = {}): Promise<void> {
    return withSignal(opts.signal, 'sendOneway', async () => {
      this.checkRunning();
      const req = this.prepareSingle(message, opts);
      const info = await this.publishInfo(req.topic);
      const mq = opts.queue ?? (req.selector ?? ((qs: readonly MessageQueue[]) => this.picker.pick(qs)))(info.messageQueues, message);
      const addr = await this.brokerAddr(mq);
      const ctx = this.context(req, mq, addr, 1, true);
      await this.runHook('beforeSend', ctx);
      try {
        await this.instance.api.sendOneway(addr, this.header(req, mq), req.body, this.sendTimeoutMs);
        await this.runHook('afterSend', ctx, { ok: true, result: undefined });
      } catch (err: unknown) {
        await this.runHook('afterSend', ctx, { ok: false, error: err });
        throw err;
      }
    });
  }

  /**
   * Sends messages of one topic as one SEND_BATCH_MESSAGE (stored as separate
   * messages; one UNIQ_KEY each; `msgId`/`offsetMsgId` comma-joined like Java).
   * Batches are never compressed; delayed messages cannot be batched.
   */
  sendBatch(messages: readonly Message[], opts: SendOptions = {}): Promise<SendResult> {
    return withSignal(opts.signal, 'sendBatch', async () => {
      if (!Array.isArray(messages) || messages.length === 0) throw new InvalidMessageError('a batch needs at least one message');
      const first = messages[0] as Message;
      const now = this.clock.now();
      const items: BatchItem[] = [];
      const ids: string[] = [];
      for (const m of messages) {
        if (m.topic !== first.topic) throw new InvalidMessageError('all messages of a batch must have the same topic');
        if ((m.delayLevel ?? 0) > 0 || m.deliverAt !== undefined || m.delayMs !== undefined) {
          throw new InvalidMessageError('delayed messages cannot be batched');
        }
        const id = this.ids.next(now);
        items.push(encodeBatchItem(m, id, this.maxMessageSize, now));
        ids.push(id);
      }
      if (first.topic.startsWith('%RETRY%')) throw new InvalidMessageError('retry topics cannot take batches');
      const body = encodeBatchBody(items, this.batchBodies);
      if (body.length > this.maxMessageSize) throw new MessageTooLargeError(body.length, this.maxMessageSize);
      const req: PreparedSend = {
        topic: first.topic,
        body,
        sysFlag: 0,
        flag: 0,
        properties: first.waitStoreMsgOK === false ? BATCH_PROPS_NO_WAIT : BATCH_PROPS_WAIT,
        msgId: ids.join(','),
        batch: true,
        message: messages,
        selector: this.selectorOf(opts, first),
      };
      return this.dispatch(req, opts);
    });
  }

  /** Writable queues of `topic` (fetching the route if needed). */
  async fetchPublishMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.checkRunning();
    return [...(await this.publishInfo(topic)).messageQueues];
  }

  /** What this producer registers on its client instance (the transaction producer extends it). */
  protected handle(): ProducerHandle {
    return {};
  }

  protected checkRunning(): void {
    if (this.state !== 'RUNNING') throw new ClientStateError(this.state === 'CREATED' ? 'producer not started; call start() first' : 'producer was shut down');
  }

  /** Validates and encodes one message; `extra` adds system properties and sys-flag bits (transactions). */
  protected prepareSingle(message: Message, opts: SendOptions, extra?: { props: ReadonlyMap<string, string>; sysFlag: number }): PreparedSend {
    this.checkRunning();
    const msgId = this.ids.next();
    const enc = encodeMessage(message, msgId, this.maxMessageSize, this.clock.now());
    for (const [k, v] of extra?.props ?? []) enc.properties.set(k, v);
    const { body, sysFlag } = maybeCompress(enc.body, this.compressThreshold);
    return {
      topic: enc.topic, body, sysFlag: sysFlag | (extra?.sysFlag ?? 0), flag: enc.flag, properties: propertiesString(enc.properties),
      msgId, batch: false, message, selector: this.selectorOf(opts, message),
    };
  }

  /**
   * A send whose properties are given as they go on the wire (system ones
   * included, not validated as user properties): the client's own sends,
   * such as a consumer's copy of a message for its retry topic.
   */
  protected prepareRaw(topic: string, body: Buffer, flag: number, props: ReadonlyMap<string, string>, counts: { reconsumeTimes: number; maxReconsumeTimes: number }): PreparedSend {
    this.checkRunning();
    const withId = new Map(props);
    const msgId = withId.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? this.ids.next();
    withId.set(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, msgId);
    const packed = maybeCompress(body, this.compressThreshold);
    return {
      topic, body: packed.body, sysFlag: packed.sysFlag, flag, properties: propertiesString(withId), msgId, batch: false,
      message: { topic, body }, selector: undefined, ...counts,
    };
  }

  /** The retry loop (sendDefaultImpl), or a single attempt for a fixed queue / selector (sendSelectImpl). */
  protected async dispatch(req: PreparedSend, opts: SendOptions): Promise<SendResult> {
    this.checkRunning();
    const timeoutMs = opts.timeoutMs ?? this.sendTimeoutMs;
    const deadline = this.clock.now() + timeoutMs;
    const cached = this.instance.getPublishInfo(req.topic);
    let info = cached !== undefined && cached.messageQueues.length > 0 ? cached : await this.publishInfo(req.topic);
    if (opts.queue !== undefined || req.selector !== undefined) {
      const mq = opts.queue ?? (req.selector as MessageQueueSelector)(info.messageQueues, Array.isArray(req.message) ? (req.message[0] as Message) : (req.message as Message));
      return this.attempt(req, mq, deadline, opts.signal, 1);
    }
    let last: unknown;
    let lastBroker: string | undefined;
    for (let i = 0; i <= this.retryTimes; i++) {
      if (opts.signal?.aborted === true) throw new AbortError('send aborted', { cause: opts.signal.reason });
      if (this.clock.now() >= deadline) {
        throw new TimeoutError(`send to ${req.topic} timed out after ${timeoutMs} ms (${i} attempts)`, { cause: last });
      }
      const mq = this.picker.pick(info.messageQueues, lastBroker);
      lastBroker = mq.brokerName;
      try {
        const r = await this.attempt(req, mq, deadline, opts.signal, i + 1);
        if (r.status !== 'SEND_OK' && this.retryNotStoreOK && i < this.retryTimes) continue;
        return r;
      } catch (err: unknown) {
        if (isAbortError(err) || !(err instanceof OrbitError) || !err.retriable) throw err;
        last = err;
        this.logger.warn('send attempt failed, retrying', { topic: req.topic, brokerName: mq.brokerName, attempt: i + 1, error: getErrorMessage(err) });
        this.instance.refreshRouteSoon(req.topic);
        info = this.instance.getPublishInfo(req.topic) ?? info;
      }
    }
    throw last instanceof Error ? last : new ConnectionError(`send to ${req.topic} failed`);
  }

  private async attempt(req: PreparedSend, mq: MessageQueue, deadline: number, signal: AbortSignal | undefined, attempt: number): Promise<SendResult> {
    const addr = this.instance.findBrokerAddressInPublish(mq.brokerName) ?? await this.brokerAddr(mq);
    // Without hooks: no context object and no hook awaits per attempt.
    const ctx = this.hooks.length === 0 ? undefined : this.context(req, mq, addr, attempt, false);
    if (ctx !== undefined) await this.runHook('beforeSend', ctx);
    const t0 = this.clock.now();
    try {
      const remaining = deadline - t0;
      if (remaining <= 0) throw new TimeoutError(`send to ${req.topic} timed out before attempt ${attempt}`);
      const opts = signal === undefined ? { timeoutMs: remaining } : { timeoutMs: remaining, signal };
      const result = await this.instance.api.sendMessage(addr, mq, this.header(req, mq), req.body, req.msgId, opts);
      this.faults?.update(mq.brokerName, this.clock.now() - t0, false);
      if (ctx !== undefined) await this.runHook('afterSend', ctx, { ok: true, result });
      return result;
    } catch (err: unknown) {
      if (!isAbortError(err)) {
        this.faults?.update(mq.brokerName, this.clock.now() - t0, err instanceof ConnectionError || err instanceof TimeoutError);
      }
      if (ctx !== undefined) await this.runHook('afterSend', ctx, { ok: false, error: err });
      throw err;
    }
  }

  /** Publish info of `topic`: cached, else from the name servers, else from the TBW102 template (auto-create). */
  protected async publishInfo(topic: string): Promise<TopicPublishInfo> {
    let info = this.instance.getPublishInfo(topic);
    if (info === undefined || info.messageQueues.length === 0) {
      await this.instance.updateTopicRoute(topic);
      info = this.instance.getPublishInfo(topic);
    }
    if (info === undefined || info.messageQueues.length === 0) {
      await this.instance.updateTopicRoute(topic, { defaultTopic: this.createTopicKey, defaultTopicQueueNums: this.defaultTopicQueueNums });
      info = this.instance.getPublishInfo(topic);
    }
    if (info === undefined || info.messageQueues.length === 0) {
      throw new NoRouteError(topic, `no route info of topic ${topic} (and no ${this.createTopicKey} route for auto-creation)`);
    }
    return info;
  }

  private async brokerAddr(mq: MessageQueue): Promise<string> {
    let addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    if (addr === undefined) {
      await this.instance.updateTopicRoute(mq.topic);
      addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    }
    if (addr === undefined) throw new NoRouteError(mq.topic, `broker ${mq.brokerName} has no master address`);
    return addr;
  }

  private header(req: PreparedSend, mq: MessageQueue): SendMessageRequestHeader {
    const h: SendMessageRequestHeader = {
      producerGroup: this.group,
      topic: req.topic,
      defaultTopic: this.createTopicKey,
      defaultTopicQueueNums: this.defaultTopicQueueNums,
      queueId: mq.queueId,
      sysFlag: req.sysFlag,
      bornTimestamp: this.clock.now(),
      flag: req.flag,
      properties: req.properties,
      reconsumeTimes: req.reconsumeTimes ?? 0,
      unitMode: false,
      bname: mq.brokerName,
    };
    if (req.maxReconsumeTimes !== undefined) h.maxReconsumeTimes = req.maxReconsumeTimes;
    if (req.batch) h.batch = true;
    return h;
  }

  private selectorOf(opts: SendOptions, message: Message): MessageQueueSelector | undefined {
    if (opts.selector !== undefined) return opts.selector;
    const key = opts.shardingKey ?? message.shardingKey;
    return key === undefined ? undefined : selectByHash(key);
  }

  private context(req: PreparedSend, mq: MessageQueue, brokerAddr: string, attempt: number, oneway: boolean): SendContext {
    return { producerGroup: this.group, message: req.message, messageQueue: mq, brokerAddr, msgId: req.msgId, attempt, oneway };
  }

  private async runHook(which: 'beforeSend' | 'afterSend', ctx: SendContext, outcome?: SendOutcome): Promise<void> {
    for (const h of this.hooks) {
      try {
        if (which === 'beforeSend') await h.beforeSend?.(ctx);
        else if (outcome !== undefined) await h.afterSend?.(ctx, outcome);
      } catch (err: unknown) {
        this.logger.warn(`${which} hook failed`, { error: getErrorMessage(err) });
      }
    }
  }
}
