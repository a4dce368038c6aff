/**
 * The admin command tree of `orbit` (commander). Each leaf parses nothing
 * itself: it hands its options to a command function through `run`, which the
 * bin layer supplies (it builds the CliContext, prints and exits).
 */
import { Command } from 'commander';
import { benchConsumer, benchProducer } from './bench.js';
import { brokerConfigGet, brokerConfigSet, clusterHealth, clusterList } from './cluster.js';
import { consumerConnections, groupCreate, groupList, groupProgress } from './group.js';
import { messageGet, messageQuery, messageSend } from './message.js';
import { offsetReset } from './offset.js';
import type { CliContext, CommandResult } from './output.js';
import { messageTail } from './tail.js';
import { messageTrace } from './trace.js';
import { topicCreate, topicDelete, topicList, topicRoute, topicStatus } from './topic.js';

export type Handler = (ctx: CliContext, print: (line: string) => void) => Promise<CommandResult>;
/** Runs a leaf: `cmd` carries the leaf's options (-n, --json, --verbose, --timeout and its own). */
export type Runner = (cmd: Command, handler: Handler) => Promise<void>;

type Opts = Record<string, string | boolean | undefined>;

const s = (o: Opts, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
const req = (o: Opts, k: string): string => s(o, k) ?? '';
const b = (o: Opts, k: string): boolean | undefined => (typeof o[k] === 'boolean' ? o[k] : undefined);

/** The options every admin command accepts (also accepted before the command, on `orbit` itself). */
export function addCommonOptions(c: Command): Command {
  return c
    .option('-n, --namesrv <addrs>', 'name servers, host:port separated by ; (default $NAMESRV_ADDR or 127.0.0.1:9876)')
    .option('--json', 'print one JSON document on stdout')
    .option('--verbose', 'show stack traces on errors')
    .option('--timeout-ms <ms>', 'per-request timeout in milliseconds (default 3000)');
}

function leaf(parent: Command, name: string, description: string, run: Runner, handler: (o: Opts, args: string[]) => Handler): Command {
  const c = addCommonOptions(parent.command(name).description(description));
  c.action(async (...a: unknown[]) => {
    const cmd = a[a.length - 1] as Command;
    const args = cmd.args;
    await run(cmd, handler(cmd.opts<Opts>(), args));
  });
  return c;
}

const target = (c: Command): Command => c.option('-c, --cluster <name>', 'only this cluster\'s masters').option('-b, --broker <addr>', 'only this broker (host:port)');

function topicCommands(program: Command, run: Runner): void {
  const topic = program.command('topic').description('create, change, inspect and delete topics');
  for (const update of [false, true]) {
    target(leaf(topic, update ? 'update' : 'create', update ? 'change a topic (unspecified values keep their current setting)' : 'create a topic on every master (or -c / -b)', run,
      (o) => (ctx) => topicCreate(ctx, {
        topic: req(o, 'topic'), cluster: s(o, 'cluster'), broker: s(o, 'broker'),
        ...pick(o, ['readQueues', 'writeQueues', 'perm']), ...(b(o, 'order') === undefined ? {} : { order: b(o, 'order') === true }),
      }, update)))
      .requiredOption('-t, --topic <topic>', 'topic name')
      .option('-r, --read-queues <n>', 'read queues per broker (default 8)')
      .option('-w, --write-queues <n>', 'write queues per broker (default 8)')
      .option('-p, --perm <perm>', 'permission: 6 (rw), 4 (r), 2 (w), or rw|r|w')
      .option('--order', 'mark the topic ordered');
  }
  leaf(topic, 'delete', 'delete a topic from its brokers and the name servers', run, (o) => (ctx) => topicDelete(ctx, req(o, 'topic')))
    .requiredOption('-t, --topic <topic>', 'topic name');
  leaf(topic, 'list', 'list topics known to the name servers', run, (o) => (ctx) => topicList(ctx, { system: b(o, 'system') === true }))
    .option('--system', 'include system, retry and DLQ topics');
  leaf(topic, 'route', 'show which brokers serve a topic', run, (o) => (ctx) => topicRoute(ctx, req(o, 'topic')))
    .requiredOption('-t, --topic <topic>', 'topic name');
  leaf(topic, 'status', 'per-queue min/max offsets and last update', run, (o) => (ctx) => topicStatus(ctx, req(o, 'topic')))
    .requiredOption('-t, --topic <topic>', 'topic name');
}

function pick(o: Opts, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = s(o, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function groupCommands(program: Command, run: Runner): void {
  const group = program.command('group').description('subscription groups and their progress');
  target(leaf(group, 'create', 'create or update a subscription group on every master (or -c / -b)', run, (o) => (ctx) => groupCreate(ctx, {
    group: req(o, 'group'), cluster: s(o, 'cluster'), broker: s(o, 'broker'), ...pick(o, ['retryMaxTimes', 'retryQueues']),
    broadcast: b(o, 'broadcast') !== false, consume: b(o, 'consume') !== false,
  })))
    .requiredOption('-g, --group <group>', 'consumer group')
    .option('--retry-max-times <n>', 'deliveries before the DLQ (default 16)')
    .option('--retry-queues <n>', 'retry queues (default 1)')
    .option('--no-broadcast', 'refuse broadcasting consumers')
    .option('--no-consume', 'disable consumption');
  target(leaf(group, 'list', 'list subscription groups', run, (o) => (ctx) => groupList(ctx, { cluster: s(o, 'cluster'), broker: s(o, 'broker'), system: b(o, 'system') === true })))
    .option('--system', 'include system groups');
  leaf(group, 'progress', 'per queue: broker offset, consumer offset, lag, last consume time', run,
    (o) => (ctx) => groupProgress(ctx, { group: req(o, 'group'), ...pick(o, ['topic']) }))
    .requiredOption('-g, --group <group>', 'consumer group')
    .option('-t, --topic <topic>', 'only this topic');
  const consumer = program.command('consumer').description('online consumers');
  leaf(consumer, 'connections', 'clients of a consumer group and their subscriptions', run, (o) => (ctx) => consumerConnections(ctx, { group: req(o, 'group') }))
    .requiredOption('-g, --group <group>', 'consumer group');
}

function messageCommands(program: Command, run: Runner): void {
  const message = program.command('message').description('look up, send and tail messages');
  leaf(message, 'get', 'show one message by id (offset id, or client id with -t)', run, (o, args) => (ctx) => messageGet(ctx, { msgId: args[0] ?? '', ...pick(o, ['topic']) }))
    .argument('<msgId>', 'offset message id, or client id (UNIQ_KEY) with -t')
    .option('-t, --topic <topic>', 'topic (needed for client ids)');
  leaf(message, 'query', 'find messages by key', run, (o) => (ctx) => messageQuery(ctx, { topic: req(o, 'topic'), key: req(o, 'key'), ...pick(o, ['max', 'begin', 'end']) }))
    .requiredOption('-t, --topic <topic>', 'topic')
    .requiredOption('-k, --key <key>', 'message key')
    .option('--max <n>', 'at most this many per broker (default 64)')
    .option('--begin <time>', 'stored at or after (ms or ISO-8601)')
    .option('--end <time>', 'stored at or before (ms or ISO-8601)');
  leaf(message, 'send', 'send messages (use --count for load)', run, (o) => (ctx) => messageSend(ctx, { topic: req(o, 'topic'), ...pick(o, ['body', 'tags', 'keys', 'count', 'size', 'concurrency']) }))
    .requiredOption('-t, --topic <topic>', 'topic')
    .option('--body <text>', 'message body')
    .option('--size <bytes>', 'random body of this size (when no --body)')
    .option('--tags <tag>', 'tag')
    .option('--keys <k1,k2>', 'keys; {i} is replaced by the message number')
    .option('--count <n>', 'how many messages (default 1)')
    .option('--concurrency <n>', 'sends in flight (default 16)');
  leaf(message, 'trace', 'show a message\'s trace: who sent it, where it is stored, which clients consumed it', run,
    (o, args) => (ctx) => messageTrace(ctx, { msgId: args[0] ?? '', ...pick(o, ['traceTopic']) }))
    .argument('<msgId>', 'client message id (UNIQ_KEY)')
    .option('--trace-topic <topic>', 'trace topic (default RMQ_SYS_TRACE_TOPIC)');
  leaf(message, 'tail', 'print a topic\'s messages as they arrive', run, (o) => (ctx, print) => messageTail(ctx, {
    topic: req(o, 'topic'), ...pick(o, ['group', 'tags', 'count', 'timeout']), fromBeginning: b(o, 'fromBeginning') === true,
  }, print))
    .requiredOption('-t, --topic <topic>', 'topic')
    .option('-g, --group <group>', 'group named in the pulls (default orbit-cli-tail; nothing is committed)')
    .option('--tags <expr>', 'tag filter, e.g. "A || B" (default *)')
    .option('--from-beginning', 'start at the oldest message instead of the newest')
    .option('--count <n>', 'stop after n messages')
    .option('--timeout <seconds>', 'stop after this long');
}

/** Adds topic, group, consumer, cluster, message, offset and `broker config` to `program`. */
export function registerAdminCommands(program: Command, brokerCommand: Command, run: Runner): void {
  topicCommands(program, run);
  groupCommands(program, run);
  const cluster = program.command('cluster').description('brokers and their health');
  leaf(cluster, 'list', 'brokers by cluster with version, TPS and disk use', run, () => (ctx) => clusterList(ctx));
  leaf(cluster, 'health', 'check every name server and broker (exit 1 when unhealthy)', run, (o) => (ctx) => clusterHealth(ctx, pick(o, ['diskWarning'])))
    .option('--disk-warning <ratio>', 'disk use that counts as unhealthy (default 0.85)');
  messageCommands(program, run);
  const offset = program.command('offset').description('consumer offsets');
  leaf(offset, 'reset', 'move a group\'s offsets on a topic to a point in time', run, (o) => (ctx) => offsetReset(ctx, {
    group: req(o, 'group'), topic: req(o, 'topic'), time: req(o, 'time'), force: b(o, 'force') !== false,
  }))
    .requiredOption('-g, --group <group>', 'consumer group')
    .requiredOption('-t, --topic <topic>', 'topic')
    .requiredOption('--time <time>', 'epoch ms, ISO-8601, now (latest) or earliest')
    .option('--no-force', 'only move offsets backwards');
  const bench = program.command('bench').description('load generators, like RocketMQ\'s benchmark programs');
  leaf(bench, 'producer', 'send as fast as it can for --duration seconds, printing TPS and latency every second', run, (o) => (ctx, print) => benchProducer(ctx, {
    topic: req(o, 'topic'), ...pick(o, ['size', 'threads', 'duration']), autoBatch: b(o, 'autoBatch') === true,
  }, print, b(o, 'json') === true))
    .requiredOption('-t, --topic <topic>', 'topic (must exist)')
    .option('--size <bytes>', 'message body size (default 1024)')
    .option('--threads <n>', 'sends in flight (default 64)')
    .option('--duration <seconds>', 'how long to run (default 10)')
    .option('--auto-batch', 'batch concurrent sends into one request');
  leaf(bench, 'consumer', 'consume for --duration seconds, printing TPS and latency every second', run, (o) => (ctx, print) => benchConsumer(ctx, {
    topic: req(o, 'topic'), ...pick(o, ['group', 'duration']),
  }, print, b(o, 'json') === true))
    .requiredOption('-t, --topic <topic>', 'topic (must exist)')
    .option('-g, --group <group>', 'consumer group (default orbit-bench-consumer)')
    .option('--duration <seconds>', 'how long to run (default 10)');
  const config = brokerCommand.command('config').description('read or change a running broker\'s configuration');
  leaf(config, 'get', 'print a broker\'s configuration (all keys, or the ones named)', run, (o, args) => (ctx) => brokerConfigGet(ctx, { broker: req(o, 'broker'), keys: args }))
    .requiredOption('-b, --broker <addr>', 'broker host:port')
    .argument('[keys...]', 'only these keys');
  leaf(config, 'set', 'change keys of a running broker', run, (o, args) => (ctx) => brokerConfigSet(ctx, { broker: req(o, 'broker'), pairs: args }))
    .requiredOption('-b, --broker <addr>', 'broker host:port')
    .argument('<key=value...>', 'settings');
}
