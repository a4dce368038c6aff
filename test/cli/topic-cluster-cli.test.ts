/**
 * `orbit topic …`, `cluster …`, `broker config …`, `broker --check-config`
 * and the global error paths, each run as a subprocess against one
 * in-process cluster (two brokers, one name server).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCluster } from '../support/cluster.js';
import { tempDir } from '../support/temp-dir.js';
import { arr, assertError, orbit, orbitHuman, orbitJson, rec } from './support.js';

test('orbit topic, cluster and broker config commands', async (t) => {
  const c = await startCluster(t, { brokers: 2 });
  const ns = ['-n', c.namesrvAddr];
  const topic = `CliTopic_${process.pid}`;
  const brokerA = c.brokers[0]?.brokerAddr ?? '';

  await t.test('topic create: human and --json', async () => {
    const h = await orbitHuman(['topic', 'create', '-t', topic, '-r', '4', '-w', '4', ...ns]);
    assert.match(h.stdout, new RegExp(`topic ${topic} created on 2 brokers`));
    assert.match(h.stdout, /BROKER\s+ADDRESS\s+READ\s+WRITE\s+PERM/);
    const j = await orbitJson(['topic', 'create', '-t', `${topic}_j`, '-b', brokerA, '-w', '2', '-r', '2', ...ns]);
    assert.equal(j.action, 'created');
    assert.equal(arr(j.brokers).length, 1);
    assert.equal(j.routeVisible, true);
  });

  await t.test('topic update, list, route, status', async () => {
    const [u, l, lj, r, rj, s, sj] = await Promise.all([
      orbitJson(['topic', 'update', '-t', topic, '-p', 'r', ...ns]),
      orbitHuman(['topic', 'list', ...ns]),
      orbitJson(['topic', 'list', '--system', ...ns]),
      orbitHuman(['topic', 'route', '-t', topic, ...ns]),
      orbitJson(['topic', 'route', '-t', topic, ...ns]),
      orbitHuman(['topic', 'status', '-t', topic, ...ns]),
      orbitJson(['topic', 'status', '-t', topic, ...ns]),
    ]);
    assert.deepEqual(arr(u.brokers).map((b) => b.perm), [4, 4]);
    assert.ok(l.stdout.split('\n').includes(topic));
    assert.ok(!l.stdout.includes('TBW102'), 'system topics hidden without --system');
    assert.ok((lj.topics as string[]).includes('TBW102'));
    assert.match(r.stdout, /broker-a\s+master/);
    assert.equal(arr(rj.queues).length, 2);
    assert.match(s.stdout, /MIN OFFSET\s+MAX OFFSET/);
    assert.equal(arr(sj.queues).length, 8);
    assert.equal(rec(sj.totals).messages, 0);
  });

  await t.test('topic delete removes it from brokers and name servers', async () => {
    const h = await orbitHuman(['topic', 'delete', '-t', `${topic}_j`, ...ns]);
    assert.match(h.stdout, /deleted from 1 broker and 1 name server/);
    const again = await orbit(['topic', 'delete', '-t', `${topic}_j`, ...ns]);
    assertError(again, 2, new RegExp(`topic ${topic}_j does not exist on any broker`));
  });

  await t.test('cluster list and health', async () => {
    const [l, lj, h, hj] = await Promise.all([
      orbitHuman(['cluster', 'list', ...ns]),
      orbitJson(['cluster', 'list', ...ns]),
      orbitHuman(['cluster', 'health', ...ns]),
      orbitJson(['cluster', 'health', ...ns]),
    ]);
    assert.match(l.stdout, /DefaultCluster\s+broker-a\s+0\s+127\.0\.0\.1:\d+\s+V4_9_8/);
    assert.deepEqual(arr(lj.brokers).map((b) => b.reachable), [true, true]);
    assert.match(h.stdout, /cluster healthy/);
    assert.equal(hj.healthy, true);
    const sick = await orbit(['cluster', 'health', '--disk-warning', '0.0001', ...ns]);
    assert.equal(sick.code, 1);
    assert.match(sick.stdout, /FAIL.*used \(warning at/);
  });

  await t.test('broker config get and set', async () => {
    const [g, gj] = await Promise.all([
      orbitHuman(['broker', 'config', 'get', '-b', brokerA, 'brokerName', ...ns]),
      orbitJson(['broker', 'config', 'get', '-b', brokerA, ...ns]),
    ]);
    assert.match(g.stdout, /brokerName\s+broker-a/);
    assert.equal(rec(gj.config).brokerName, 'broker-a');
    const same = await orbitJson(['broker', 'config', 'set', '-b', brokerA, 'brokerName=broker-a', ...ns]);
    assert.deepEqual(same.updated, { brokerName: 'broker-a' });
    assertError(await orbit(['broker', 'config', 'set', '-b', brokerA, 'brokerName=other', ...ns]), 1, /can not update \[brokerName\] at runtime/);
    assertError(await orbit(['broker', 'config', 'get', '-b', brokerA, 'noSuchKey', ...ns]), 64, /unknown config key: noSuchKey/);
    assertError(await orbit(['broker', 'config', 'set', '-b', brokerA, 'novalue', ...ns]), 64, /expected key=value/);
  });

  await t.test('error paths: unknown topic, unreachable name server, bad flags', async () => {
    const [unknown, unknownJson, down, downJson, badFlag, missing, badValue, verbose] = await Promise.all([
      orbit(['topic', 'route', '-t', 'NoSuchTopic', ...ns]),
      orbit(['topic', 'status', '-t', 'NoSuchTopic', ...ns, '--json']),
      orbit(['topic', 'list', '-n', '127.0.0.1:1']),
      orbit(['cluster', 'list', '-n', '127.0.0.1:1', '--json']),
      orbit(['topic', 'list', '--bogus', ...ns]),
      orbit(['topic', 'route', ...ns]),
      orbit(['topic', 'create', '-t', 'X', '-r', 'many', ...ns]),
      orbit(['topic', 'route', '-t', 'NoSuchTopic', '-n', '127.0.0.1:1', '--verbose']),
    ]);
    assertError(unknown, 2, /^orbit: topic NoSuchTopic does not exist on any broker\n$/);
    assert.equal(unknown.stdout, '');
    assertError(unknownJson, 2, /does not exist/);
    assert.deepEqual(JSON.parse(unknownJson.stdout), { error: 'topic NoSuchTopic does not exist on any broker', exitCode: 2 });
    assertError(down, 69, /name server 127\.0\.0\.1:1 is unreachable/);
    assertError(downJson, 69, /unreachable/);
    assert.equal(rec(JSON.parse(downJson.stdout)).exitCode, 69);
    assertError(badFlag, 64, /unknown option '--bogus'/);
    assertError(missing, 64, /required option '-t, --topic <topic>' not specified/);
    assertError(badValue, 64, /--read-queues must be an integer/);
    assert.equal(verbose.code, 69);
    assert.match(verbose.stderr, /\n\s+at /, 'stack trace with --verbose');
    assertError(await orbit(['nosuchcommand']), 64, /unknown command/);
    assertError(await orbit(['topic', 'list', '-n', 'not-an-address']), 64, /bad name server address/);
  });

  await t.test('global options before the command, and NAMESRV_ADDR', async () => {
    const before = await orbit(['--json', '-n', c.namesrvAddr, 'topic', 'route', '-t', topic]);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(rec(JSON.parse(before.stdout)).topic, topic);
    const env = await orbit(['topic', 'route', '-t', topic], { env: { NAMESRV_ADDR: c.namesrvAddr } });
    assert.equal(env.code, 0, env.stderr);
  });

});

test('orbit broker --check-config names every bad key', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'bad.conf');
  writeFileSync(bad, ['brokerName=ok-name', 'listenPort=notaport', 'brokerRole=BOSS', 'flushDiskTyp=SYNC_FLUSH', 'madeUpKey=1', 'aclEnable=false', 'brokerName=again'].join('\n'));
  const good = join(dir, 'good.conf');
  writeFileSync(good, 'brokerClusterName=C1\nbrokerName=b1\nlistenPort=10911\nflushDiskType=SYNC_FLUSH\n');
  const [b, g, missing] = await Promise.all([
    orbit(['broker', '--check-config', bad]),
    orbit(['broker', '--check-config', good]),
    orbit(['broker', '--check-config', join(dir, 'nope.conf')]),
  ]);
  assert.equal(b.code, 1, b.stderr);
  assert.match(b.stderr, /bad\.conf:2: config key listenPort: "notaport" is not a number/);
  assert.match(b.stderr, /bad\.conf:3: brokerRole must be/);
  assert.match(b.stderr, /bad\.conf:4: unknown key flushDiskTyp \(did you mean flushDiskType\?\)/);
  assert.match(b.stderr, /bad\.conf:5: unknown key madeUpKey/);
  assert.match(b.stderr, /bad\.conf:7: brokerName is set again \(first on line 1\)/);
  assert.match(b.stderr, /note: aclEnable is accepted but has no effect/);
  const report = rec(JSON.parse(b.stdout));
  assert.equal(report.valid, false);
  assert.equal(arr(report.problems).length, 5);
  assert.equal(g.code, 0, g.stderr);
  assert.equal(rec(JSON.parse(g.stdout)).valid, true);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read config file/);
});
