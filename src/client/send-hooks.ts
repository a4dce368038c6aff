/** Send hooks (Java SendMessageHook): observe each send attempt. */
import type { Message } from './message.js';
import type { SendResult } from './mq-client-api.js';
import type { MessageQueue } from './route.js';

/** What a hook learns about one send attempt. */
export interface SendContext {
  readonly producerGroup: string;
  /** The message, or the messages of a batch. */
  readonly message: Message | readonly Message[];
  readonly messageQueue: MessageQueue;
  readonly brokerAddr: string;
  /** The UNIQ_KEY (comma-joined for a batch). */
  readonly msgId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  readonly oneway: boolean;
}

/** How an attempt ended: a result (undefined for oneway) or the error. */
export type SendOutcome =
  | { readonly ok: true; readonly result: SendResult | undefined }
  | { readonly ok: false; readonly error: unknown };

/**
 * Hooks run around every attempt. They may be async; the send waits for them.
 * A hook that throws is logged and ignored — it never fails the send.
 */
export interface SendHooks {
  beforeSend?(ctx: SendContext): void | Promise<void>;
  afterSend?(ctx: SendContext, outcome: SendOutcome): void | Promise<void>;
}
