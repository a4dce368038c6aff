/**
 * Message trace for consumers (Java enableMsgTrace on a consumer): the trace
 * sender (an inner producer on the consumer's client instance), its
 * dispatcher and the SubBefore/SubAfter hooks, as the push and the lite pull
 * consumer both set them up.
 */
import type { ResolvedClientOptions } from '../client-options.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import { Producer } from '../producer.js';
import { TraceDispatcher, traceSenderSettings, type TraceOptions } from '../trace/trace-dispatcher.js';
import { consumeTraceHooks } from '../trace/trace-hooks.js';
import { UniqIdGenerator } from '../uniq-id.js';
import type { ConsumeHooks } from './push-consumer-options.js';

export interface ConsumerTracing {
  /** Started and shut down with the consumer. */
  readonly dispatcher: TraceDispatcher;
  /** Called around every batch the application consumes. */
  readonly hooks: ConsumeHooks;
}

export function consumerTracing(group: string, trace: TraceOptions, client: ResolvedClientOptions, instance: MQClientInstance): ConsumerTracing {
  const sender = new Producer({ ...traceSenderSettings(group, 'CONSUME'), namesrvAddr: client.namesrvAddrs, clientInstance: instance });
  const dispatcher = new TraceDispatcher(sender, { ...trace, logger: client.logger, clock: client.clock, clientId: instance.clientId });
  return { dispatcher, hooks: consumeTraceHooks(dispatcher, client.clock, new UniqIdGenerator(client.clientIP, client.clock)) };
}
