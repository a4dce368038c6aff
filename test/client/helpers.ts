/** Shared helpers of the client tests: pull back what landed, unique names. */
import type { MessageExt } from '../../src/client/index.js';
import { MQClientInstance } from '../../src/client/index.js';
import { PullSysFlag } from '../../src/protocol/index.js';

let seq = 0;
export function unique(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${seq++}`;
}

/** A raw client instance for inspection, shut down by `t.after`. */
export function inspector(t: { after(fn: () => Promise<void>): void }, namesrvAddr: string): MQClientInstance {
  const inst = new MQClientInstance({ namesrvAddr, instanceName: unique('inspector') });
  t.after(() => inst.shutdown());
  return inst;
}

/** Every message of one queue from offset 0 (PULL_MESSAGE with an inline `*` subscription). */
export async function pullAll(inst: MQClientInstance, brokerAddr: string, brokerName: string, topic: string, queueId: number): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  let offset = 0;
  for (let i = 0; i < 100; i++) {
    const r = await inst.api.pullMessage(brokerAddr, brokerName, {
      consumerGroup: 'client_test_inspector',
      topic,
      queueId,
      queueOffset: offset,
      maxMsgNums: 32,
      sysFlag: PullSysFlag.FLAG_SUBSCRIPTION,
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subscription: '*',
      subVersion: 0,
      expressionType: 'TAG',
    });
    if (r.status !== 'FOUND') break;
    out.push(...r.messages);
    offset = r.nextBeginOffset;
  }
  return out;
}

/** Every message of the topic's queues 0..queues-1 on one broker. */
export async function pullTopic(inst: MQClientInstance, brokerAddr: string, brokerName: string, topic: string, queues = 4): Promise<MessageExt[]> {
  const all: MessageExt[] = [];
  for (let q = 0; q < queues; q++) all.push(...(await pullAll(inst, brokerAddr, brokerName, topic, q)));
  return all;
}
