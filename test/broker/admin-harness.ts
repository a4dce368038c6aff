/**
 * A broker on 127.0.0.1:0 with a temp store and a RemotingClient, for the
 * admin processor tests.
 */
import type { TestContext } from 'node:test';
import { BrokerController } from '../../src/broker/broker-controller.js';
import { resolveBrokerConfig, type BrokerConfig } from '../../src/broker/broker-config.js';
import type { BrokerContext } from '../../src/broker/broker-context.js';
import { encodeProperties, noopLogger } from '../../src/common/index.js';
import type { RemotingCommand } from '../../src/protocol/index.js';
import { createRequest } from '../../src/protocol/index.js';
import { RemotingClient, resolveRemotingClientConfig } from '../../src/remoting/index.js';
import { resolveMessageStoreConfig } from '../../src/store/index.js';
import type { MessageStoreConfig } from '../../src/store/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AdminHarness {
  readonly broker: BrokerController;
  readonly ctx: BrokerContext;
  readonly addr: string;
  readonly client: RemotingClient;
  call(code: number, extFields?: Record<string, string>, body?: Buffer): Promise<RemotingCommand>;
  /** Stores a message directly and returns its commit-log offset. */
  put(topic: string, queueId: number, body: string, props?: Record<string, string>): Promise<number>;
}

export async function startBroker(
  t: TestContext, store: Partial<MessageStoreConfig> = {}, existingDir?: string, brokerSettings: Partial<BrokerConfig> = {},
): Promise<AdminHarness> {
  const dir = existingDir ?? mkdtempSync(join(tmpdir(), 'orbitmq-admin-'));
  const broker = new BrokerController(
    resolveBrokerConfig({ listenPort: 0, brokerName: 'broker-t', brokerClusterName: 'ClusterT', ...brokerSettings }),
    resolveMessageStoreConfig({ storePathRootDir: dir, mappedFileSizeCommitLog: 16 * 1024 * 1024, maxMessageSize: 1024 * 1024, ...store }),
    { logger: noopLogger },
  );
  await broker.start();
  const client = new RemotingClient(resolveRemotingClientConfig({}), { logger: noopLogger });
  // One hook, in order: the broker persists its configs into `dir` on close.
  t.after(async () => {
    await client.close();
    await broker.close(0);
    if (existingDir === undefined) rmSync(dir, { recursive: true, force: true });
  });
  const ctx = broker.context;
  const addr = `127.0.0.1:${broker.address().port}`;
  return {
    broker,
    ctx,
    addr,
    client,
    call: (code, extFields = {}, body) => client.invoke(addr, createRequest(code, { extFields, body }), 5000),
    put: async (topic, queueId, body, props = {}) => {
      const r = await ctx.store.putMessage({
        topic, queueId, flag: 0, body: Buffer.from(body), properties: encodeProperties(props), sysFlag: 0,
        bornTimestamp: Date.now(), bornHost: ctx.storeHost, storeHost: ctx.storeHost, reconsumeTimes: 0, preparedTransactionOffset: 0,
      });
      if (r.status !== 'PUT_OK') throw new Error(`put failed: ${r.status}`);
      return r.appendResult.wroteOffset;
    },
  };
}

/** Polls `fn` until true, bounded by `timeoutMs`. */
export async function waitFor(fn: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function bodyText(cmd: RemotingCommand): string {
  return cmd.body === undefined ? '' : cmd.body.toString('utf8');
}
