/**
 * Smoke tests of the real `orbit` entrypoint (src/bin/orbit.ts) as child
 * processes: `orbit start` on port 0, persistence across a graceful restart,
 * --flush, --config (broker.conf keys), bad values, SIGKILL recovery, and
 * `orbit namesrv` + `orbit broker` as separate processes. Every child is
 * killed in t.after; every wait is bounded.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeStoredMessage, noopLogger, type StoredMessage } from '../../src/common/index.js';
import {
  RequestCode, ResponseCode, createRequest, type RemotingCommand,
} from '../../src/protocol/index.js';
import { RemotingClient, resolveRemotingClientConfig } from '../../src/remoting/index.js';
import { within } from '../remoting/support.js';
import { waitFor } from '../support/cluster.js';
import { pullRequest, routeBrokerAddrs, routeRequest, sendV2 } from '../support/raw-socket.js';
import { tempDir } from '../support/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(ROOT, 'src', 'bin', 'orbit.ts');
const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 15_000;

let seq = 0;
const unique = (p: string): string => `${p}_${process.pid}_${Date.now()}_${seq++}`;

/** Small store files so each child stays light (ORBIT_* env layer of broker-settings). */
const SMALL_STORE_ENV: Record<string, string> = {
  ORBIT_MAPPED_FILE_SIZE_COMMIT_LOG: String(64 * 1024 * 1024),
  ORBIT_MAX_HASH_SLOT_NUM: '10000',
  ORBIT_MAX_INDEX_NUM: '40000',
};

interface ReadyLine {
  readonly event: 'ready';
  readonly role: string;
  readonly namesrv?: string;
  readonly broker?: string;
  readonly dataDir?: string;
  readonly flushDiskType?: string;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Orbit {
  readonly child: ChildProcess;
  readonly lines: string[];
  stderr(): string;
  /** Resolves with the ready line; rejects if the process exits first or takes too long. */
  readonly ready: Promise<ReadyLine>;
  readonly exited: Promise<Exit>;
  isRunning(): boolean;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORBIT_')) env[k] = v;
  return { ...env, ...SMALL_STORE_ENV, ...extra };
}

function isReadyLine(u: unknown): u is ReadyLine {
  return typeof u === 'object' && u !== null && 'event' in u && u.event === 'ready';
}

/** Spawns `node --import tsx src/bin/orbit.ts ...args`; SIGKILLed in t.after if still running. */
function orbit(t: TestContext, args: string[], env: Record<string, string> = {}): Orbit {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  let running = true;
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => {
    running = false;
    resolve({ code, signal });
  }));
  let out = '';
  let onLine: ((line: string) => void) | undefined;
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    out += chunk;
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      lines.push(line);
      onLine?.(line);
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    err += chunk;
  });
  const ready = new Promise<ReadyLine>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`orbit ${args.join(' ')}: no ready line in ${READY_TIMEOUT_MS} ms; stderr: ${err}`)), READY_TIMEOUT_MS);
    onLine = (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (isReadyLine(parsed)) {
        clearTimeout(timer);
        resolve(parsed);
      }
    };
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`orbit ${args.join(' ')} exited (${String(e.code)}/${String(e.signal)}) before ready; stderr: ${err}`));
    }, reject);
  });
  ready.catch(() => undefined);
  t.after(async () => {
    if (running) child.kill('SIGKILL');
    await exited;
  });
  return { child, lines, stderr: () => err, ready, exited, isRunning: () => running };
}

/** SIGTERM, then expect exit 0 and the stopped line. */
async function stopGracefully(o: Orbit): Promise<void> {
  o.child.kill('SIGTERM');
  const e = await within(o.exited, EXIT_TIMEOUT_MS, 'graceful exit after SIGTERM');
  assert.deepEqual(e, { code: 0, signal: null }, o.stderr());
  const last = o.lines.map((l) => l.trim()).filter((l) => l.length > 0).at(-1);
  assert.deepEqual(JSON.parse(last ?? 'null'), { event: 'stopped', clean: true });
}

function newClient(t: TestContext): RemotingClient {
  const client = new RemotingClient(resolveRemotingClientConfig({}), { logger: noopLogger });
  t.after(() => client.close());
  return client;
}

function addrOf(v: string | undefined, what: string): string {
  assert.ok(v !== undefined, `${what} in the ready line`);
  assert.match(v, /^127\.0\.0\.1:[1-9]\d*$/, `${what} is a real bound port`);
  return v;
}

/** Decodes a PULL_MESSAGE body (stored records back to back). */
function decodePullBody(body: Buffer | undefined): StoredMessage[] {
  const out: StoredMessage[] = [];
  if (body === undefined) return out;
  for (let p = 0; p < body.length;) {
    const m = decodeStoredMessage(body, p);
    out.push(m);
    p += m.storeSize;
  }
  return out;
}

async function call(client: RemotingClient, addr: string, code: number, extFields: Record<string, string>): Promise<RemotingCommand> {
  return client.invoke(addr, createRequest(code, { extFields }), 10_000);
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function dig(u: unknown, ...keys: string[]): unknown {
  let cur = u;
  for (const k of keys) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

void test('orbit start: port 0, send + commit offset, SIGTERM persists topics and offsets, restart reads them back', { timeout: 120_000 }, async (t) => {
  const dataDir = tempDir(t, 'orbit-standalone-');
  const args = ['start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0', '--log-level', 'warn'];
  const first = orbit(t, args);
  const ready = await first.ready;
  assert.equal(ready.role, 'standalone');
  assert.equal(ready.flushDiskType, 'ASYNC_FLUSH');
  const brokerAddr = addrOf(ready.broker, 'broker');
  const namesrvAddr = addrOf(ready.namesrv, 'namesrv');

  const topic = unique('Standalone');
  const group = unique('Group');
  const count = 10;
  const client = newClient(t);
  for (let i = 0; i < count; i++) {
    // The topic does not exist: the broker auto-creates it from TBW102.
    const res = await client.invoke(brokerAddr, sendV2(topic, Buffer.from(`msg-${i}`), { queueId: 0 }), 10_000);
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    assert.equal(res.extFields.queueOffset, String(i));
  }
  await waitFor(async () => {
    const route = await client.invoke(namesrvAddr, routeRequest(topic), 5000);
    return route.code === ResponseCode.SUCCESS && routeBrokerAddrs(route).includes(brokerAddr);
  }, { timeoutMs: 10_000, what: 'the auto-created topic routed by the name server' });

  const committed = 7;
  const upd = await call(client, brokerAddr, RequestCode.UPDATE_CONSUMER_OFFSET, {
    consumerGroup: group, topic, queueId: '0', commitOffset: String(committed),
  });
  assert.equal(upd.code, ResponseCode.SUCCESS, upd.remark);
  await client.close();
  await stopGracefully(first);

  const storeDir = ready.dataDir ?? '';
  assert.ok(storeDir.startsWith(dataDir), `store dir ${storeDir} under --data-dir`);
  const topics = readJson(join(storeDir, 'config', 'topics.json'));
  const tc = dig(topics, 'topicConfigTable', topic);
  assert.equal(dig(tc, 'topicName'), topic, 'topics.json holds the auto-created topic');
  const offsets = readJson(join(storeDir, 'config', 'consumerOffset.json'));
  assert.equal(dig(offsets, 'offsetTable', `${topic}@${group}`, '0'), committed, 'consumerOffset.json holds the offset');

  const second = orbit(t, args);
  const again = await second.ready;
  const brokerAddr2 = addrOf(again.broker, 'broker');
  const client2 = newClient(t);
  const q = await call(client2, brokerAddr2, RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: group, topic, queueId: '0' });
  assert.equal(q.code, ResponseCode.SUCCESS, q.remark);
  assert.equal(q.extFields.offset, String(committed));
  const max = await call(client2, brokerAddr2, RequestCode.GET_MAX_OFFSET, { topic, queueId: '0' });
  assert.equal(max.code, ResponseCode.SUCCESS, max.remark);
  assert.equal(max.extFields.offset, String(count));
  const pulled = await client2.invoke(brokerAddr2, pullRequest(group, topic, 0, 0), 10_000);
  assert.equal(pulled.code, ResponseCode.SUCCESS, pulled.remark);
  assert.deepEqual(decodePullBody(pulled.body).map((m) => m.body.toString()), Array.from({ length: count }, (_, i) => `msg-${i}`));
  await client2.close();
  await stopGracefully(second);
});

void test('orbit start --flush sync reports SYNC_FLUSH and serves sends', { timeout: 60_000 }, async (t) => {
  const dataDir = tempDir(t, 'orbit-sync-');
  const o = orbit(t, ['start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0', '--flush', 'sync', '--log-level', 'warn']);
  const ready = await o.ready;
  assert.equal(ready.flushDiskType, 'SYNC_FLUSH');
  const client = newClient(t);
  const res = await client.invoke(addrOf(ready.broker, 'broker'), sendV2(unique('Sync'), Buffer.from('x')), 10_000);
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  await client.close();
  await stopGracefully(o);
});

void test('orbit start --config: broker.conf keys apply, an unknown key only warns on stderr', { timeout: 60_000 }, async (t) => {
  const dataDir = tempDir(t, 'orbit-conf-');
  const brokerName = unique('confbroker').replace(/_/g, '-');
  const conf = join(dataDir, 'broker.conf');
  writeFileSync(conf, [
    '# RocketMQ-style broker.conf',
    'brokerClusterName=ConfCluster',
    `brokerName=${brokerName}`,
    'flushDiskType=SYNC_FLUSH',
    'noSuchOrbitKey=42',
    '',
  ].join('\n'));
  const o = orbit(t, ['start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0', '--config', conf, '--log-level', 'warn']);
  const ready = await o.ready;
  assert.equal(ready.flushDiskType, 'SYNC_FLUSH');
  const brokerAddr = addrOf(ready.broker, 'broker');
  const namesrvAddr = addrOf(ready.namesrv, 'namesrv');
  await waitFor(() => o.stderr().includes('noSuchOrbitKey'), { timeoutMs: 5000, what: 'a warning naming the unknown key' });
  // brokerName and brokerClusterName took effect: their topics route to this broker.
  const client = newClient(t);
  for (const topic of [brokerName, 'ConfCluster']) {
    const route = await waitFor(async () => {
      const r = await client.invoke(namesrvAddr, routeRequest(topic), 5000);
      return r.code === ResponseCode.SUCCESS ? r : undefined;
    }, { timeoutMs: 10_000, what: `route of ${topic}` });
    assert.deepEqual(routeBrokerAddrs(route), [brokerAddr], topic);
  }
  await client.close();
  await stopGracefully(o);
});

void test('an invalid config value stops start-up with a message naming the key', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t, 'orbit-bad-');
  const badPort = join(dir, 'bad-port.conf');
  writeFileSync(badPort, 'listenPort=abc\n');
  const broker = orbit(t, ['broker', '--data-dir', join(dir, 'b'), '--config', badPort, '--log-level', 'warn']);
  const e1 = await within(broker.exited, EXIT_TIMEOUT_MS, 'orbit broker exits');
  assert.notEqual(e1.code, 0);
  assert.match(broker.stderr(), /listenPort/);
  assert.equal(broker.lines.length, 0, 'no ready line');

  const badSize = join(dir, 'bad-size.conf');
  writeFileSync(badSize, 'maxMessageSize=abc\n');
  const start = orbit(t, ['start', '--data-dir', join(dir, 's'), '--namesrv-port', '0', '--broker-port', '0', '--config', badSize, '--log-level', 'warn']);
  const e2 = await within(start.exited, EXIT_TIMEOUT_MS, 'orbit start exits');
  assert.notEqual(e2.code, 0);
  assert.match(start.stderr(), /maxMessageSize/);
  assert.equal(start.lines.length, 0, 'no ready line');
});

void test('orbit start --config with listenPort=abc and no --broker-port is rejected (the default port must not mask the file)', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t, 'orbit-bad-start-');
  const conf = join(dir, 'broker.conf');
  writeFileSync(conf, 'listenPort=abc\n');
  const o = orbit(t, ['start', '--data-dir', dir, '--namesrv-port', '0', '--config', conf, '--log-level', 'warn']);
  const outcome = await within(Promise.race([
    o.exited.then((e) => ({ kind: 'exited' as const, e })),
    o.ready.then((r) => ({ kind: 'ready' as const, r })),
  ]), READY_TIMEOUT_MS, 'exit or ready');
  if (outcome.kind === 'ready') {
    // Do not keep a fixed port bound: stop it before failing.
    o.child.kill('SIGKILL');
    await o.exited;
    assert.fail(`started on ${String(outcome.r.broker)} ignoring listenPort=abc from --config`);
  }
  assert.notEqual(outcome.e.code, 0);
  assert.match(o.stderr(), /listenPort/);
});

void test('SIGKILL mid-load, then restart: every acknowledged message is readable', { timeout: 120_000 }, async (t) => {
  const dataDir = tempDir(t, 'orbit-kill-');
  const args = ['start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0', '--log-level', 'warn'];
  const first = orbit(t, args);
  const brokerAddr = addrOf((await first.ready).broker, 'broker');
  const topic = unique('Kill');
  const queues = 4;
  const client = newClient(t);
  // Create the topic (auto-create) before the load so all queues exist.
  const warm = await client.invoke(brokerAddr, sendV2(topic, Buffer.from('warm-0'), { queueId: 0 }), 10_000);
  assert.equal(warm.code, ResponseCode.SUCCESS, warm.remark);
  const acked = new Map<string, string>([[`0:${warm.extFields.queueOffset ?? ''}`, 'warm-0']]);
  let stop = false;
  const senders = Array.from({ length: queues }, async (_, qid) => {
    for (let i = 0; !stop && i < 100_000; i++) {
      const body = `q${qid}-m${i}-${'x'.repeat(200)}`;
      try {
        const res = await client.invoke(brokerAddr, sendV2(topic, Buffer.from(body), { queueId: qid }), 5000);
        if (res.code !== ResponseCode.SUCCESS) return;
        acked.set(`${qid}:${res.extFields.queueOffset ?? ''}`, body);
      } catch {
        return; // the broker is gone
      }
    }
  });
  await waitFor(() => acked.size >= 400, { timeoutMs: 30_000, what: '400 acknowledged messages' });
  first.child.kill('SIGKILL');
  const e = await within(first.exited, EXIT_TIMEOUT_MS, 'exit after SIGKILL');
  assert.equal(e.signal, 'SIGKILL');
  stop = true;
  await within(Promise.all(senders), 10_000, 'senders stop');
  await client.close();
  assert.ok(existsSync(join(dataDir, 'store', 'commitlog')));

  const second = orbit(t, args);
  const brokerAddr2 = addrOf((await second.ready).broker, 'broker');
  const client2 = newClient(t);
  const found = new Map<string, string>();
  for (let qid = 0; qid < queues; qid++) {
    for (let offset = 0, rounds = 0; rounds < 10_000; rounds++) {
      const res = await client2.invoke(brokerAddr2, pullRequest('kill-check', topic, qid, offset), 10_000);
      if (res.code !== ResponseCode.SUCCESS) break;
      const msgs = decodePullBody(res.body);
      for (const m of msgs) found.set(`${qid}:${m.queueOffset}`, m.body.toString());
      const next = Number(res.extFields.nextBeginOffset);
      if (msgs.length === 0 || !(next > offset)) break;
      offset = next;
    }
  }
  const missing = [...acked].filter(([k, body]) => found.get(k) !== body).map(([k]) => k);
  assert.deepEqual(missing, [], `all ${acked.size} acknowledged messages recovered (found ${found.size})`);
  await client2.close();
  await stopGracefully(second);
});

void test('orbit namesrv + orbit broker as separate processes: the broker registers its routes', { timeout: 90_000 }, async (t) => {
  const ns = orbit(t, ['namesrv', '--port', '0', '--log-level', 'warn']);
  const nsReady = await ns.ready;
  assert.equal(nsReady.role, 'namesrv');
  const namesrvAddr = addrOf(nsReady.namesrv, 'namesrv');

  const dataDir = tempDir(t, 'orbit-broker-');
  const broker = orbit(t, ['broker', '-n', namesrvAddr, '--data-dir', dataDir, '--broker-port', '0', '--log-level', 'warn']);
  const bReady = await broker.ready;
  assert.equal(bReady.role, 'broker');
  assert.equal(bReady.namesrv, namesrvAddr);
  const brokerAddr = addrOf(bReady.broker, 'broker');

  const client = newClient(t);
  const routed = async (topic: string): Promise<string[]> => {
    const r = await client.invoke(namesrvAddr, routeRequest(topic), 5000);
    return r.code === ResponseCode.SUCCESS ? routeBrokerAddrs(r) : [];
  };
  // The broker's own topic (brokerTopicEnable) and the cluster topic (clusterTopicEnable).
  for (const topic of ['broker-a', 'DefaultCluster']) {
    await waitFor(async () => (await routed(topic)).includes(brokerAddr), { timeoutMs: 10_000, what: `route of ${topic}` });
  }
  // A topic auto-created by a send is registered too.
  const topic = unique('Separate');
  const sent = await client.invoke(brokerAddr, sendV2(topic, Buffer.from('hello')), 10_000);
  assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
  await waitFor(async () => (await routed(topic)).includes(brokerAddr), { timeoutMs: 10_000, what: `route of ${topic}` });

  // A graceful broker stop unregisters it.
  await stopGracefully(broker);
  await waitFor(async () => (await routed(topic)).length === 0, { timeoutMs: 10_000, what: 'route dropped after broker stop' });
  await client.close();
  await stopGracefully(ns);
});
