import type { TestContext } from 'node:test';
import { noopLogger, type Clock } from '../../src/common/index.js';
import {
  RegisterBrokerRequestHeader, RequestCode, createRequest, parseRocketMQJson, type JsonValue, type RemotingCommand,
} from '../../src/protocol/index.js';
import { RemotingClient, resolveRemotingClientConfig } from '../../src/remoting/index.js';
import { NamesrvServer, resolveNamesrvConfig, type NamesrvConfig } from '../../src/namesrv/index.js';
import { bodyCrc32 } from '../../src/common/index.js';

/** A name server on 127.0.0.1:0, closed after the test. */
export async function startNamesrv(
  t: TestContext,
  config: Partial<NamesrvConfig> = {},
  clock?: Clock,
): Promise<{ server: NamesrvServer; addr: string }> {
  const server = new NamesrvServer(
    resolveNamesrvConfig({ host: '127.0.0.1', listenPort: 0, ...config }),
    clock === undefined ? { logger: noopLogger } : { logger: noopLogger, clock },
  );
  await server.start();
  t.after(() => server.close({ graceMs: 0 }));
  return { server, addr: `127.0.0.1:${server.address().port}` };
}

export function newClient(t: TestContext): RemotingClient {
  const client = new RemotingClient(resolveRemotingClientConfig(), { logger: noopLogger });
  t.after(() => client.close());
  return client;
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
}

export interface TopicSpec {
  readonly name: string;
  readonly queues?: number;
  readonly perm?: number;
  readonly topicSysFlag?: number;
}

/**
 * The REGISTER_BROKER body exactly as a Java 4.9.8 broker writes it
 * (RegisterBrokerBody.encode → fastjson, keys sorted), built by hand.
 */
export function javaBrokerBody(topics: readonly TopicSpec[], dataVersion: { timestamp: number; counter: number }): Buffer {
  const table = topics.map((t) => `"${t.name}":{"order":false,"perm":${t.perm ?? 6},"readQueueNums":${t.queues ?? 8},`
    + `"topicFilterType":"SINGLE_TAG","topicName":"${t.name}","topicSysFlag":${t.topicSysFlag ?? 0},"writeQueueNums":${t.queues ?? 8}}`);
  return Buffer.from(`{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":${dataVersion.counter},`
    + `"timestamp":${dataVersion.timestamp}},"topicConfigTable":{${table.join(',')}}}}`);
}

export interface BrokerSpec {
  readonly cluster?: string;
  readonly brokerName: string;
  readonly brokerAddr: string;
  readonly brokerId: number;
  readonly haServerAddr?: string;
  readonly topics?: readonly TopicSpec[];
  readonly dataVersion?: { timestamp: number; counter: number };
  /** Body to send instead of the JSON one. */
  readonly body?: Buffer;
  readonly compressed?: boolean;
  /** CRC to put in the header; default: the real one. */
  readonly bodyCrc32?: number;
}

export async function registerBroker(client: RemotingClient, addr: string, b: BrokerSpec): Promise<RemotingCommand> {
  const body = b.body ?? javaBrokerBody(b.topics ?? [], b.dataVersion ?? { timestamp: 1, counter: 1 });
  const extFields = RegisterBrokerRequestHeader.encode({
    brokerName: b.brokerName,
    brokerAddr: b.brokerAddr,
    clusterName: b.cluster ?? 'DefaultCluster',
    haServerAddr: b.haServerAddr ?? b.brokerAddr.replace(/:\d+$/, ':10912'),
    brokerId: b.brokerId,
    compressed: b.compressed ?? false,
    bodyCrc32: b.bodyCrc32 ?? bodyCrc32(body),
  });
  return client.invoke(addr, createRequest(RequestCode.REGISTER_BROKER, { extFields, body }), 3000);
}

export async function call(
  client: RemotingClient,
  addr: string,
  code: number,
  extFields: Record<string, string> = {},
  options: { version?: number; body?: Buffer } = {},
): Promise<RemotingCommand> {
  return client.invoke(addr, createRequest(code, { extFields, ...options }), 3000);
}

/** Parses a response body with the fastjson-tolerant parser. */
export function json(res: RemotingCommand): JsonValue {
  if (res.body === undefined) throw new Error(`response ${res.code} has no body`);
  return parseRocketMQJson(res.body.toString('utf8'));
}

/** Walks `path` through objects/arrays of a parsed body. */
export function at(v: JsonValue | undefined, ...path: (string | number)[]): JsonValue | undefined {
  let cur = v;
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = typeof cur === 'object' && cur !== null && !Array.isArray(cur) ? cur[p] : undefined;
  }
  return cur;
}

export async function getRoute(client: RemotingClient, addr: string, topic: string): Promise<RemotingCommand> {
  return call(client, addr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
}

/** Polls `fn` until true; bounded by timeoutMs. */
export async function waitFor(fn: () => boolean | Promise<boolean>, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
