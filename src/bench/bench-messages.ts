/**
 * Messages for the store benchmarks, shaped like a RocketMQ producer's: a
 * UNIQ_KEY (32 hex digits, as MessageClientIDSetter makes, so the index
 * service does its usual work) and WAIT=true, on one topic with a few queues.
 * Bodies are views of one shared buffer (the store copies them), so the bench
 * itself allocates little per message whatever the size mix.
 */
import type { HostAddress, MessageInput } from '../common/index.js';
import { LOOPBACK_HOST, MessageConst, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from '../common/index.js';
export { seededRandom } from '../common/index.js';

export const BENCH_TOPIC = 'OrbitBenchTopic';
/** Queues per topic (a producer's defaultTopicQueueNums). */
export const BENCH_QUEUES = 4;
export const BENCH_STORE_HOST: HostAddress = { address: Uint8Array.of(127, 0, 0, 1), port: 10911 };
const BORN_HOST: HostAddress = { address: LOOPBACK_HOST.address, port: 50000 };

export interface MessageFactoryOptions {
  /** Add a unique UNIQ_KEY per message (default true). */
  readonly uniqKey: boolean;
  /** A per-run prefix (24 hex digits), so keys differ between runs. */
  readonly keyPrefix: string;
}

export class BenchMessageFactory {
  private base: Buffer = Buffer.alloc(0);
  private readonly opts: MessageFactoryOptions;
  private seq = 0;

  constructor(opts: MessageFactoryOptions) {
    if (!/^[0-9A-F]{24}$/.test(opts.keyPrefix)) throw new Error(`keyPrefix must be 24 upper-case hex digits, got ${opts.keyPrefix}`);
    this.opts = opts;
  }

  body(size: number): Buffer {
    if (size > this.base.length) this.base = Buffer.alloc(size, 0x78);
    return size === this.base.length ? this.base : this.base.subarray(0, size);
  }

  make(queueId: number, size: number, bornTimestamp: number): MessageInput {
    const n = this.seq++;
    const wait = `${MessageConst.PROPERTY_WAIT_STORE_MSG_OK}${NAME_VALUE_SEPARATOR}true`;
    const properties = this.opts.uniqKey
      ? `${MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX}${NAME_VALUE_SEPARATOR}${this.opts.keyPrefix}${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}${PROPERTY_SEPARATOR}${wait}`
      : wait;
    return {
      topic: BENCH_TOPIC,
      queueId,
      flag: 0,
      body: this.body(size),
      properties,
      sysFlag: 0,
      bornTimestamp,
      bornHost: BORN_HOST,
      storeHost: BENCH_STORE_HOST,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    };
  }
}

/** 24 hex digits from a random source (injected, so runs can be reproduced). */
export function makeKeyPrefix(random: () => number): string {
  let s = '';
  for (let i = 0; i < 24; i++) s += Math.floor(random() * 16).toString(16).toUpperCase();
  return s;
}

