/**
 * Transactional messages (broker/transaction/queue/TransactionalMessageServiceImpl,
 * TransactionalMessageBridge and TransactionalMessageCheckService, 4.9.8).
 *
 * A half message is stored in RMQ_SYS_TRANS_HALF_TOPIC queue 0 (REAL_TOPIC,
 * REAL_QID kept as properties, transaction bits cleared) where no consumer
 * sees it. END_TRANSACTION commits (the message is stored again in its real
 * topic with COMMIT bits) or rolls back; either way an op record (tag "d",
 * body = the half's queue offset) goes to RMQ_SYS_TRANS_OP_HALF_TOPIC. The
 * check task walks the half queue: halves with an op record are done; halves
 * older than the transaction timeout (or their CHECK_IMMUNITY_TIME_IN_SECONDS)
 * are checked back with a live producer of their group and re-appended with
 * TRANSACTION_CHECK_TIMES + 1; after transactionCheckMax checks they are
 * discarded into TRANS_CHECK_MAX_TIME_TOPIC. The walk's progress is the
 * CID_RMQ_SYS_TRANS group's offset on the half and op queues, so processed
 * halves do not pile up.
 */
import type { Clock, Logger, MessageInput, StoredMessage } from '../../common/index.js';
import {
  MessageConst,
  MessageSysFlag,
  createOffsetMessageId,
  decodeProperties,
  decodeStoredMessage,
  encodeProperties,
  getErrorMessage,
} from '../../common/index.js';
import { CheckTransactionStateRequestHeader, RequestCode, createRequest } from '../../protocol/index.js';
import type { MessageStore, PutMessageResult } from '../../store/index.js';
import { isPutOk } from '../../store/index.js';
import type { ProducerManager } from '../client/producer-manager.js';
import type { ConsumerOffsetManager } from '../consumer-offset-manager.js';
import type { TopicConfigManager } from '../topic-config-manager.js';
import { TopicValidator } from '../topic-validator.js';

export const HALF_TOPIC = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
export const OP_TOPIC = TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC;
export const CHECK_MAX_TOPIC = TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC;
export const TRANS_GROUP = 'CID_RMQ_SYS_TRANS';
const OP_TAG = 'd';

export interface TransactionConfig {
  /** A half younger than this is not checked yet (transactionTimeOut, 6 s). */
  readonly transactionTimeOut: number;
  /** Checks before a half is discarded (transactionCheckMax, 15). */
  readonly transactionCheckMax: number;
  /** Period of the check task (transactionCheckInterval, 60 s). */
  readonly transactionCheckInterval: number;
}

export interface TransactionDeps {
  readonly store: MessageStore;
  readonly offsets: ConsumerOffsetManager;
  readonly producers: ProducerManager;
  readonly topics: TopicConfigManager;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type EndOutcome = { readonly ok: true } | { readonly ok: false; readonly code: 'NOT_FOUND' | 'MISMATCH' | 'STORE'; readonly remark: string };

export class TransactionalMessageService {
  private readonly cfg: TransactionConfig;
  private readonly d: TransactionDeps;
  private readonly log: Logger;
  /** Half queue offsets that have an op record and lie at or after the half consume offset. */
  private readonly done = new Set<number>();
  private opReadOffset = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(cfg: TransactionConfig, deps: TransactionDeps) {
    this.cfg = cfg;
    this.d = deps;
    this.log = deps.logger.child({ component: 'broker.transaction' });
  }

  start(): void {
    this.d.topics.ensure(HALF_TOPIC, 1, 6);
    this.d.topics.ensure(OP_TOPIC, 1, 6);
    this.opReadOffset = Math.max(0, this.d.offsets.queryOffset(TRANS_GROUP, OP_TOPIC, 0));
    this.timer = setInterval(() => {
      void this.check();
    }, this.cfg.transactionCheckInterval);
    this.timer.unref();
  }

  /** The half message to store for a prepared send (TransactionalMessageBridge.parseHalfMessageInner). */
  toHalf(msg: MessageInput, props: Map<string, string>): MessageInput {
    props.set(MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
    props.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
    return {
      ...msg,
      topic: HALF_TOPIC,
      queueId: 0,
      sysFlag: (msg.sysFlag & ~MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) | MessageSysFlag.TRANSACTION_NOT_TYPE,
      properties: encodeProperties(props),
    };
  }

  /** END_TRANSACTION: commit (8), rollback (12); unknown (0) leaves the half for the check task. */
  async end(req: { producerGroup: string; tranStateTableOffset: number; commitLogOffset: number; commitOrRollback: number }): Promise<EndOutcome> {
    if (req.commitOrRollback === MessageSysFlag.TRANSACTION_NOT_TYPE) return { ok: true };
    const rec = this.d.store.lookMessageByOffset(req.commitLogOffset);
    if (rec === undefined) return { ok: false, code: 'NOT_FOUND', remark: 'Find prepared transaction message failed' };
    const half = decodeStoredMessage(rec);
    const props = decodeProperties(half.properties);
    // checkPrepareMessage: the request must name this exact half.
    if (half.topic !== HALF_TOPIC) return { ok: false, code: 'MISMATCH', remark: 'The message is not a prepared transaction message' };
    if (props.get(MessageConst.PROPERTY_PRODUCER_GROUP) !== req.producerGroup) return { ok: false, code: 'MISMATCH', remark: 'The producer group wrong' };
    if (half.queueOffset !== req.tranStateTableOffset) return { ok: false, code: 'MISMATCH', remark: 'The transaction state table offset wrong' };
    const origin = originOffset(half, props);
    if (this.done.has(origin)) return { ok: true }; // already resolved (e.g. a late duplicate END_TRANSACTION)
    if (req.commitOrRollback === MessageSysFlag.TRANSACTION_COMMIT_TYPE) {
      const r = await this.d.store.putMessage(this.committed(half, props), { waitStoreMsgOK: true });
      if (!isPutOk(r)) return { ok: false, code: 'STORE', remark: `storing the committed message failed: ${r.status}` };
    }
    const op = await this.writeOp(origin);
    if (!isPutOk(op)) return { ok: false, code: 'STORE', remark: `writing the op record failed: ${op.status}` };
    this.done.add(origin);
    return { ok: true };
  }

  /** The committed message in its real topic (EndTransactionProcessor.endMessageTransaction). */
  private committed(half: StoredMessage, props: Map<string, string>): MessageInput {
    const topic = props.get(MessageConst.PROPERTY_REAL_TOPIC) ?? half.topic;
    const queueId = Number(props.get(MessageConst.PROPERTY_REAL_QUEUE_ID) ?? '0');
    const out = new Map(props);
    out.delete(MessageConst.PROPERTY_REAL_TOPIC);
    out.delete(MessageConst.PROPERTY_REAL_QUEUE_ID);
    out.delete(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES);
    out.delete(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET);
    return {
      topic,
      queueId,
      flag: half.flag,
      body: half.body,
      properties: encodeProperties(out),
      sysFlag: (half.sysFlag & ~MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) | MessageSysFlag.TRANSACTION_COMMIT_TYPE,
      bornTimestamp: half.bornTimestamp,
      bornHost: half.bornHost,
      storeHost: half.storeHost,
      reconsumeTimes: half.reconsumeTimes,
      preparedTransactionOffset: half.commitLogOffset,
    };
  }

  private writeOp(halfQueueOffset: number): Promise<PutMessageResult> {
    const host = { address: Uint8Array.of(127, 0, 0, 1), port: 0 };
    return this.d.store.putMessage({
      topic: OP_TOPIC,
      queueId: 0,
      flag: 0,
      body: Buffer.from(String(halfQueueOffset), 'utf8'),
      properties: encodeProperties({ [MessageConst.PROPERTY_TAGS]: OP_TAG }),
      sysFlag: 0,
      bornTimestamp: this.d.clock.now(),
      bornHost: host,
      storeHost: host,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    }, { waitStoreMsgOK: true });
  }

  private halfReadOffset(): number {
    return Math.max(0, this.d.offsets.queryOffset(TRANS_GROUP, HALF_TOPIC, 0), this.d.store.getMinOffsetInQueue(HALF_TOPIC, 0));
  }

  /** Reads new op records into the done set. */
  private readOps(): void {
    for (;;) {
      const got = this.d.store.getMessage(OP_TOPIC, 0, this.opReadOffset, { maxMsgNums: 256, maxTotalBytes: 4 << 20 });
      if (got.messages.length === 0) {
        if (got.status === 'OFFSET_TOO_SMALL') this.opReadOffset = got.nextBeginOffset;
        else break;
        continue;
      }
      for (const rec of got.messages) {
        const off = Number(decodeStoredMessage(rec).body.toString('utf8'));
        if (Number.isSafeInteger(off)) this.done.add(off);
      }
      this.opReadOffset = got.nextBeginOffset;
    }
    this.d.offsets.commitOffset(TRANS_GROUP, OP_TOPIC, 0, this.opReadOffset);
  }

  /** One pass of the check task; concurrent calls share a pass. */
  check(): Promise<void> {
    this.checking ??= this.doCheck()
      .catch((err: unknown) => this.log.error('transaction check failed', { error: getErrorMessage(err) }))
      .finally(() => {
        this.checking = undefined;
      });
    return this.checking;
  }

  private async doCheck(): Promise<void> {
    this.readOps();
    let offset = this.halfReadOffset();
    const max = this.d.store.getMaxOffsetInQueue(HALF_TOPIC, 0);
    const now = this.d.clock.now();
    while (offset < max) {
      const got = this.d.store.getMessage(HALF_TOPIC, 0, offset, { maxMsgNums: 1, maxTotalBytes: 64 << 20 });
      const rec = got.messages[0];
      if (rec === undefined) {
        if (got.nextBeginOffset > offset) {
          offset = got.nextBeginOffset;
          continue;
        }
        break;
      }
      const half = decodeStoredMessage(rec);
      const props = decodeProperties(half.properties);
      if (this.done.has(originOffset(half, props))) {
        offset++;
        continue;
      }
      const checks = Number(props.get(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES) ?? '0');
      if (checks >= this.cfg.transactionCheckMax) {
        await this.discard(half, props);
        offset++;
        continue;
      }
      const immunityS = Number(props.get(MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS) ?? '');
      const minAge = Number.isFinite(immunityS) && immunityS > 0 ? immunityS * 1000 : this.cfg.transactionTimeOut;
      // The age counts from the half's first store (a re-appended half keeps its born time as reference).
      if (now - half.storeTimestamp < minAge) break;
      const copy = await this.putBack(half, props, checks + 1);
      if (copy === undefined) break;
      this.sendCheck(copy, props);
      offset++;
    }
    this.d.offsets.commitOffset(TRANS_GROUP, HALF_TOPIC, 0, offset);
  }

  /**
   * Re-appends an unresolved half with one more check counted and a link to
   * the original half (putBackHalfMsgQueue); returns the new record.
   */
  private async putBack(half: StoredMessage, props: Map<string, string>, checks: number): Promise<Buffer | undefined> {
    const p = new Map(props);
    p.set(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES, String(checks));
    p.set(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET, String(originOffset(half, props)));
    const r = await this.d.store.putMessage({
      topic: HALF_TOPIC,
      queueId: 0,
      flag: half.flag,
      body: half.body,
      properties: encodeProperties(p),
      sysFlag: half.sysFlag,
      bornTimestamp: half.bornTimestamp,
      bornHost: half.bornHost,
      storeHost: half.storeHost,
      reconsumeTimes: half.reconsumeTimes,
      preparedTransactionOffset: 0,
    }, { waitStoreMsgOK: true });
    return isPutOk(r) ? this.d.store.lookMessageByOffset(r.appendResult.wroteOffset) : undefined;
  }

  private async discard(half: StoredMessage, props: Map<string, string>): Promise<void> {
    this.d.topics.ensure(CHECK_MAX_TOPIC, 1, 6);
    await this.d.store.putMessage({ ...this.committed(half, props), topic: CHECK_MAX_TOPIC, queueId: 0, sysFlag: half.sysFlag }, { waitStoreMsgOK: false });
    this.log.warn('transaction half discarded after the maximum number of checks', { offset: half.commitLogOffset });
  }

  /** CHECK_TRANSACTION_STATE, oneway, to one live producer of the half's group (Broker2Client.checkProducerTransactionState). */
  private sendCheck(rec: Buffer, props: Map<string, string>): void {
    const group = props.get(MessageConst.PROPERTY_PRODUCER_GROUP);
    const channel = group === undefined ? undefined : this.d.producers.getAvailableChannel(group);
    if (channel === undefined) {
      this.log.debug('no live producer to check a transaction with', { group });
      return;
    }
    const copy = decodeStoredMessage(rec);
    const uniq = props.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
    const extFields = CheckTransactionStateRequestHeader.encode({
      tranStateTableOffset: copy.queueOffset,
      commitLogOffset: copy.commitLogOffset,
      ...(uniq === undefined ? {} : { msgId: uniq, transactionId: uniq }),
      offsetMsgId: createOffsetMessageId(copy.storeHost, copy.commitLogOffset),
    });
    channel.invokeOneway(createRequest(RequestCode.CHECK_TRANSACTION_STATE, { extFields, body: rec }));
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The queue offset of the first copy of a half: what op records refer to. */
function originOffset(half: StoredMessage, props: Map<string, string>): number {
  const linked = Number(props.get(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET));
  return Number.isSafeInteger(linked) && linked >= 0 ? linked : half.queueOffset;
}
