/**
 * Transactional sends (Java TransactionMQProducer / DefaultMQProducerImpl
 * .sendMessageInTransaction, checkTransactionState, endTransaction): a half
 * message (TRAN_MSG=true, PGROUP, sys flag TRANSACTION_PREPARED), then the
 * local transaction, then END_TRANSACTION (oneway) with its outcome; brokers
 * ask `checkListener` about half messages left UNKNOWN.
 *
 * OrbitMQ's broker and Apache RocketMQ 4.x brokers both keep the half
 * message invisible until END_TRANSACTION commits it, and check back with a
 * live producer of the group when the outcome stays unknown.
 */
import { MessageConst, MessageSysFlag, decodeOffsetMessageId, getErrorMessage } from '../common/index.js';
import type { CheckTransactionStateRequestHeader } from '../protocol/index.js';
import { InvalidMessageError } from './errors.js';
import type { Message } from './message.js';
import type { MessageExt } from './message-ext.js';
import type { SendResult } from './mq-client-api.js';
import type { ProducerHandle } from './mq-client-instance.js';
import { Producer, type ProducerOptions, type SendOptions } from './producer.js';

/** Java LocalTransactionState (UNKNOW spelled UNKNOWN). */
export type LocalTransactionState = 'COMMIT' | 'ROLLBACK' | 'UNKNOWN';

/** Runs the local transaction once the half message is stored. A throw counts as UNKNOWN. */
export type LocalTransactionExecutor = (message: Message, sendResult: SendResult) => Promise<LocalTransactionState> | LocalTransactionState;

/** Answers a broker's check of a half message whose outcome is unknown. A throw counts as UNKNOWN. */
export type TransactionCheckListener = (message: MessageExt) => Promise<LocalTransactionState> | LocalTransactionState;

export interface TransactionProducerOptions extends ProducerOptions {
  readonly checkListener: TransactionCheckListener;
}

export interface TransactionSendResult extends SendResult {
  readonly localTransactionState: LocalTransactionState;
}

/** commitOrRollback values of EndTransactionRequestHeader (message sys-flag transaction types). */
const END_CODE: Readonly<Record<LocalTransactionState, number>> = {
  COMMIT: MessageSysFlag.TRANSACTION_COMMIT_TYPE,
  ROLLBACK: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE,
  UNKNOWN: MessageSysFlag.TRANSACTION_NOT_TYPE,
};

export class TransactionProducer extends Producer {
  private readonly checkListener: TransactionCheckListener;
  private readonly pendingChecks = new Set<Promise<void>>();

  constructor(options: TransactionProducerOptions) {
    super(options);
    if (typeof options.checkListener !== 'function') throw new InvalidMessageError('checkListener is required');
    this.checkListener = options.checkListener;
  }

  /**
   * Sends `message` as a half message, runs `executor`, then tells the broker
   * to commit or roll back. When the half message is not stored (status other
   * than SEND_OK) the executor is skipped and the state is ROLLBACK.
   */
  async sendInTransaction(message: Message, executor: LocalTransactionExecutor, opts: Omit<SendOptions, 'queue' | 'selector'> = {}): Promise<TransactionSendResult> {
    if ((message.delayLevel ?? 0) > 0 || message.deliverAt !== undefined || message.delayMs !== undefined) {
      throw new InvalidMessageError('transactional messages cannot be delayed');
    }
    const props = new Map([
      [MessageConst.PROPERTY_TRANSACTION_PREPARED, 'true'],
      [MessageConst.PROPERTY_PRODUCER_GROUP, this.group],
    ]);
    const req = this.prepareSingle(message, opts, { props, sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE });
    const result = await this.dispatch(req, opts);
    let state: LocalTransactionState = 'ROLLBACK';
    let localError: unknown;
    if (result.status === 'SEND_OK') {
      try {
        state = await executor(message, result);
      } catch (err: unknown) {
        localError = err;
        state = 'UNKNOWN';
        this.logger.warn('local transaction failed; state UNKNOWN', { msgId: result.msgId, error: getErrorMessage(err) });
      }
    }
    await this.endTransaction(result, state, localError === undefined ? undefined : `executeLocalTransactionBranch exception: ${getErrorMessage(localError)}`);
    return { ...result, localTransactionState: state };
  }

  override async shutdown(): Promise<void> {
    await Promise.allSettled([...this.pendingChecks]);
    await super.shutdown();
  }

  protected override handle(): ProducerHandle {
    return {
      checkTransactionState: (brokerAddr, msg, header) => {
        const p = this.answerCheck(brokerAddr, msg, header).catch((err: unknown) => {
          this.logger.warn('transaction check failed', { brokerAddr, msgId: msg.msgId, error: getErrorMessage(err) });
        });
        this.pendingChecks.add(p);
        void p.finally(() => this.pendingChecks.delete(p));
      },
    };
  }

  private async answerCheck(brokerAddr: string, msg: MessageExt, header: CheckTransactionStateRequestHeader): Promise<void> {
    let state: LocalTransactionState = 'UNKNOWN';
    let remark: string | undefined;
    try {
      state = await this.checkListener(msg);
    } catch (err: unknown) {
      remark = `checkLocalTransactionState exception: ${getErrorMessage(err)}`;
    }
    const uniq = msg.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] ?? msg.msgId;
    await this.instance.api.endTransactionOneway(brokerAddr, {
      producerGroup: this.group,
      tranStateTableOffset: header.tranStateTableOffset,
      commitLogOffset: header.commitLogOffset,
      commitOrRollback: END_CODE[state],
      fromTransactionCheck: true,
      msgId: uniq,
      transactionId: header.transactionId ?? uniq,
    }, remark);
  }

  private async endTransaction(result: SendResult, state: LocalTransactionState, remark: string | undefined): Promise<void> {
    const addr = this.instance.findBrokerAddressInPublish(result.messageQueue.brokerName);
    if (addr === undefined || result.offsetMsgId.length === 0) {
      this.logger.warn('cannot end transaction: broker address or offset id unknown', { msgId: result.msgId });
      return;
    }
    try {
      const { commitLogOffset } = decodeOffsetMessageId(result.offsetMsgId);
      await this.instance.api.endTransactionOneway(addr, {
        producerGroup: this.group,
        tranStateTableOffset: result.queueOffset,
        commitLogOffset,
        commitOrRollback: END_CODE[state],
        fromTransactionCheck: false,
        msgId: result.msgId,
        transactionId: result.transactionId ?? result.msgId,
      }, remark);
    } catch (err: unknown) {
      // Java logs and returns: the broker will check back.
      this.logger.warn('end transaction failed; the broker will check back', { msgId: result.msgId, error: getErrorMessage(err) });
    }
  }
}
