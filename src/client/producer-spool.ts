/**
 * The producer side of the local spool (`spoolDir` option): a send that no
 * broker accepts — no route, connection refused or timed out, broker busy or
 * unavailable — is kept on disk and the send resolves with status SPOOLED.
 * While anything is spooled, new sends join the spool too, so the spool
 * drains in the order messages were sent. A background task (unref'd) resends
 * the oldest message every `drainIntervalMs` until brokers accept again.
 */
import { ConnectionError, TimeoutError, getErrorMessage } from '../common/index.js';
import type { Logger } from '../common/index.js';
import { ResponseCode, ResponseError } from '../protocol/index.js';
import { NoRouteError } from './errors.js';
import { LocalSpool, fromSpooled, toSpooled } from './local-spool.js';
import type { Message } from './message.js';
import type { SendResult } from './mq-client-api.js';

/** The answers that mean "no broker takes messages now", worth spooling. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof NoRouteError || err instanceof ConnectionError || err instanceof TimeoutError) return true;
  if (err instanceof ResponseError) {
    return err.responseCode === ResponseCode.SERVICE_NOT_AVAILABLE || err.responseCode === ResponseCode.SYSTEM_BUSY;
  }
  return false;
}

export function spooledResult(message: Message): SendResult {
  return {
    status: 'SPOOLED',
    msgId: '',
    offsetMsgId: '',
    messageQueue: { topic: message.topic, brokerName: '', queueId: -1 },
    queueOffset: -1,
    regionId: undefined,
    traceOn: false,
    transactionId: undefined,
  };
}

export class SpoolDrainer {
  private readonly spool: LocalSpool;
  private readonly send: (m: Message) => Promise<SendResult>;
  private readonly ready: () => boolean;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;

  constructor(dir: string, send: (m: Message) => Promise<SendResult>, ready: () => boolean, log: Logger, drainIntervalMs: number) {
    this.spool = new LocalSpool(dir);
    this.send = send;
    this.ready = ready;
    this.log = log;
    this.timer = setInterval(() => void this.drain(), drainIntervalMs);
    this.timer.unref();
  }

  get isEmpty(): boolean {
    return this.spool.isEmpty;
  }

  /** Keeps a message durably and starts a drain. */
  add(message: Message): SendResult {
    this.spool.append(toSpooled(message));
    return spooledResult(message);
  }

  /** Sends spooled messages in order until one fails or the spool is empty. */
  drain(): Promise<void> {
    if (this.closed || !this.ready()) return Promise.resolve();
    this.draining ??= (async () => {
      for (let e = this.spool.peek(); e !== undefined && !this.closed; e = this.spool.peek()) {
        try {
          await this.send(fromSpooled(e.message));
        } catch (err: unknown) {
          if (isUnavailable(err)) return; // brokers still away: try again later
          this.log.error('a spooled message was refused; dropping it', { topic: e.message.topic, error: getErrorMessage(err) });
        }
        this.spool.markSent(e.next);
      }
    })().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.draining;
    this.spool.close();
  }
}
