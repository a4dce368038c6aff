/**
 * In-process OrbitMQ for integration tests: name servers and brokers on
 * 127.0.0.1:0, one temp store per broker, everything closed and deleted when
 * the test ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerConfig } from '../../src/broker/broker-config.js';
import { resolveBrokerConfig } from '../../src/broker/broker-config.js';
import { BrokerController } from '../../src/broker/broker-controller.js';
import { makeTopicConfig } from '../../src/broker/topic-config-manager.js';
import { NamesrvServer, resolveNamesrvConfig } from '../../src/namesrv/index.js';
import type { MessageStoreConfig } from '../../src/store/index.js';
import { resolveMessageStoreConfig } from '../../src/store/index.js';

interface AfterHook {
  after(fn: () => void | Promise<void>): void;
}

export interface ClusterOptions {
  readonly brokers?: number;
  readonly namesrvs?: number;
  readonly broker?: Partial<BrokerConfig>;
  readonly store?: Partial<MessageStoreConfig>;
}

export interface TestCluster {
  readonly namesrvAddr: string;
  readonly namesrvs: NamesrvServer[];
  readonly brokers: BrokerController[];
  readonly dirs: string[];
  /** Registers something (a client) to close before the servers stop, in reverse order. */
  track(close: () => Promise<void>): void;
  /** Creates a topic on every broker and waits until the name servers know it. */
  createTopic(topic: string, queues?: number): Promise<void>;
  /** Starts one more broker (e.g. a restart over an existing store dir). */
  startBroker(name: string, dir?: string, over?: Partial<BrokerConfig>): Promise<BrokerController>;
}

/** Small files so tests stay light: 64 MiB commit-log segments, small index. */
export const TEST_STORE: Partial<MessageStoreConfig> = {
  mappedFileSizeCommitLog: 64 * 1024 * 1024,
  maxHashSlotNum: 10_000,
  maxIndexNum: 40_000,
};

export async function startCluster(t: AfterHook, opts: ClusterOptions = {}): Promise<TestCluster> {
  const namesrvs: NamesrvServer[] = [];
  const brokers: BrokerController[] = [];
  const dirs: string[] = [];
  const tracked: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const c of tracked.reverse()) await c().catch(() => undefined);
    for (const b of brokers) await b.close(0).catch(() => undefined);
    for (const n of namesrvs) await n.close({ graceMs: 0 }).catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  for (let i = 0; i < (opts.namesrvs ?? 1); i++) {
    const ns = new NamesrvServer(resolveNamesrvConfig({ listenPort: 0 }));
    await ns.start();
    namesrvs.push(ns);
  }
  const namesrvAddr = namesrvs.map((n) => `127.0.0.1:${n.address().port}`).join(';');
  const startBroker = async (name: string, dir?: string, over: Partial<BrokerConfig> = {}): Promise<BrokerController> => {
    const storeDir = dir ?? mkdtempSync(join(tmpdir(), 'orbitmq-broker-'));
    if (dir === undefined) dirs.push(storeDir);
    const broker = new BrokerController(
      resolveBrokerConfig({ brokerName: name, listenPort: 0, namesrvAddr, ...opts.broker, ...over }),
      resolveMessageStoreConfig({ storePathRootDir: storeDir, ...TEST_STORE, ...opts.store }),
    );
    await broker.start();
    brokers.push(broker);
    return broker;
  };
  for (let i = 0; i < (opts.brokers ?? 1); i++) await startBroker(`broker-${String.fromCharCode(97 + i)}`);
  const createTopic = async (topic: string, queues = 4): Promise<void> => {
    for (const b of brokers) {
      b.context.topics.update(makeTopicConfig(topic, queues));
      await b.registerBrokerAll();
    }
  };
  return { namesrvAddr, namesrvs, brokers, dirs, startBroker, createTopic, track: (c) => void tracked.push(c) };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}
