/** The parts of ali-ons 3.12 (a third-party RocketMQ 4.x client) the tests use. */
declare module 'ali-ons' {
  import { EventEmitter } from 'node:events';

  export interface ClientOptions {
    httpclient: object;
    accessKeyId: string;
    accessKeySecret: string;
    nameSrv: string | string[];
    instanceName?: string;
    logger?: object;
  }

  export interface SendResult {
    sendStatus: string;
    msgId: string;
    messageQueue: { topic: string; brokerName: string; queueId: number };
    queueOffset: number;
  }

  export class Message {
    constructor(topic: string, tags: string | null, body: string | Buffer);
    topic: string;
    tags: string | null;
    keys: string[] | string | null;
    body: Buffer;
    msgId: string;
    queueId: number;
    queueOffset: number;
    reconsumeTimes: number;
    shardingKey: string | undefined;
    properties: Record<string, string>;
  }

  export class Producer extends EventEmitter {
    constructor(options: ClientOptions & { producerGroup: string; retryTimesWhenSendFailed?: number; sendMsgTimeout?: number });
    ready(): Promise<void>;
    send(msg: Message): Promise<SendResult>;
    close(): Promise<void>;
  }

  export class Consumer extends EventEmitter {
    constructor(options: ClientOptions & {
      consumerGroup: string;
      isBroadcast?: boolean;
      consumeFromWhere?: string;
      persistConsumerOffsetInterval?: number;
      rebalanceInterval?: number;
      pullBatchSize?: number;
      parallelConsumeLimit?: number;
    });
    static ACTION_RETRY: symbol;
    ready(): Promise<void>;
    subscribe(topic: string, subExpression: string, handler: (msg: Message) => Promise<symbol | void>): void;
    close(): Promise<void>;
  }
}
