/** Setting up ali-ons (a third-party RocketMQ 4.x client) against a test cluster: one place for its quirks. */
import { Producer } from 'ali-ons';
import type { ClientOptions } from 'ali-ons';
import type { TestCluster } from './cluster.js';

const SILENT = { info: (): void => undefined, warn: (): void => undefined, error: (): void => undefined, debug: (): void => undefined };

/** The options every ali-ons client needs here. */
export function onsOptions(cluster: TestCluster, instanceName: string): ClientOptions {
  return {
    // ali-ons asserts an httpclient even with nameSrv; it only uses it for Aliyun address lookups.
    httpclient: {},
    accessKeyId: 'test',
    accessKeySecret: 'test',
    nameSrv: cluster.namesrvAddr.split(';'),
    instanceName,
    logger: SILENT,
  };
}

/** ali-ons' scheduled tasks sleep a whole interval before they notice close(); short intervals let tests end quickly. */
export const ONS_FAST_TIMERS: Readonly<Record<string, number>> = {
  pollNameServerInteval: 500, heartbeatBrokerInterval: 500, persistConsumerOffsetInterval: 500, rebalanceInterval: 500,
};

/** ali-ons keeps a process-wide inner producer (MQProducer.getDefaultProducer): stop it before the servers. */
export function trackOnsInnerProducer(cluster: TestCluster): void {
  cluster.track(async () => {
    const inner = (Producer as unknown as { defaultProducer?: Producer }).defaultProducer;
    await inner?.close();
  });
}
