/**
 * `npm run bench -- floor`: CONTRACT.md's e2e load through a relay that does
 * nothing — a Node TCP server in its own process that forwards every read
 * from the publisher's connection to the consumer's connection and answers
 * the publisher one byte per read. No storage, no protocol, no broker.
 *
 * Its latency is the floor under any broker written for Node on this machine
 * (two loopback hops, two processes waking per message) and so tells how much
 * of an e2e tail is the machine: run it beside `contract --scenario e2e`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { parseNumber } from './bench-args.js';
import { cpuSeconds } from './bench-context.js';
import { round } from './bench-output.js';
import { contractErrorLine, type ContractResult } from './contract-scenarios.js';
import type { BenchCommand } from './bench-context.js';
import { LatencyRecorder, awaitArrivals, pacedPublish, payloadFactory, settledP99Note } from './e2e-load.js';

export const FLOOR_USAGE = `usage: bench floor [--rate 5000] [--seconds 10] [--size 1024] [--max-seconds S]
  The CONTRACT.md e2e load (rate R for T seconds, ~1 ms publish ticks, latency from the send time
  in the payload) through a do-nothing Node relay in a separate process: the latency floor of a Node
  broker on this machine. Prints one CONTRACT.md line (system node-relay, variant floor).`;

const ROLE_CONSUMER = 0x43; // 'C'
const ROLE_PUBLISHER = 0x50; // 'P'
const ACK = Buffer.from([1]);

/** The relay process: listens on 127.0.0.1:0, prints {"port":N}, runs until stdin closes or a signal. */
export const runFloorRelayChild: BenchCommand = async (_args, ctx) => {
  let consumer: Socket | undefined;
  const server = createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      if (first[0] === ROLE_CONSUMER) {
        consumer = socket;
        socket.write(ACK); // registered: the client may start publishing
        return;
      }
      const forward = (chunk: Buffer): void => {
        if (chunk.length > 0) consumer?.write(chunk);
        socket.write(ACK);
      };
      forward(first.subarray(1));
      socket.on('data', forward);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('relay: no TCP address');
  ctx.writeStdout(`${JSON.stringify({ port: addr.port })}\n`);
  await ctx.stdinEnded();
  server.close();
  consumer?.destroy();
  return 0;
};

async function dial(port: number, role: number): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port, noDelay: true });
  await once(s, 'connect');
  s.write(Buffer.from([role]));
  return s;
}

/** The first line a stream prints (without its newline). */
function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: string | Buffer): void => {
      text += String(d);
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      stream.off('data', onData);
      resolve(text.slice(0, nl));
    };
    stream.on('data', onData);
    stream.once('error', reject);
  });
}

export const runFloorBench: BenchCommand = async (args, ctx) => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rate: { type: 'string', default: '5000' },
      seconds: { type: 'string', default: '10' },
      size: { type: 'string', default: '1024' },
      'max-seconds': { type: 'string' },
    },
    strict: true,
  });
  const rate = parseNumber('rate', values.rate, { min: 1 });
  const seconds = parseNumber('seconds', values.seconds, { min: 0.1 });
  const size = parseNumber('size', values.size, { min: 16, integer: true });
  const maxSeconds = parseNumber('max-seconds', values['max-seconds'] ?? ctx.env('BENCH_MAX_SECONDS') ?? '120', { min: 1 });
  const total = Math.round(rate * seconds);

  const relay = spawn(ctx.self.execPath, [...ctx.self.execArgv, ctx.self.mainPath, 'floor-relay-child'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const dropHook = ctx.atExit(() => relay.kill('SIGKILL'));
  const sockets: Socket[] = [];
  try {
    const line = await Promise.race([
      firstLine(relay.stdout.setEncoding('utf8')),
      once(relay, 'exit').then((): never => {
        throw new Error('the relay exited before it listened');
      }),
    ]);
    const port = Number((JSON.parse(line) as { port?: unknown }).port);
    if (!Number.isInteger(port) || port <= 0) throw new Error(`relay: bad ready line ${line}`);
    ctx.writeStderr(`[bench] floor: relay pid ${String(relay.pid)} on 127.0.0.1:${port}\n`);

    const record = new LatencyRecorder(total);
    const consumer = await dial(port, ROLE_CONSUMER);
    sockets.push(consumer);
    await once(consumer, 'data'); // the relay's one-byte answer: it forwards to this connection from now on
    let partial: Buffer | undefined;
    consumer.on('data', (chunk: Buffer) => {
      const now = process.hrtime.bigint();
      let buf = partial === undefined ? chunk : Buffer.concat([partial, chunk]);
      while (buf.length >= size) {
        record.receive(buf, now);
        buf = buf.subarray(size);
      }
      partial = buf.length > 0 ? buf : undefined;
    });
    const publisher = await dial(port, ROLE_PUBLISHER);
    sockets.push(publisher);
    publisher.on('data', () => undefined);

    const payload = payloadFactory(size);
    const cpu0 = { client: process.cpuUsage(), relay: cpuSeconds(relay.pid ?? -1) };
    let published = 0;
    const run = await pacedPublish({
      rate, total, hardStopSeconds: Math.min(2 * seconds + 10, maxSeconds),
      outstanding: () => published - record.received,
      publish: (seq) => {
        published++;
        publisher.write(payload(seq));
      },
    });
    await awaitArrivals(() => record.received, run.published, Math.min(30, maxSeconds));
    const c = process.cpuUsage(cpu0.client);
    const r1 = cpuSeconds(relay.pid ?? -1);
    const relayCpu = r1 !== undefined && cpu0.relay !== undefined ? `${(r1 - cpu0.relay).toFixed(2)} s` : 'n/a';
    const l = record.summary(rate);
    const incomplete = run.published < total || l.received < run.published ? `INCOMPLETE (published ${run.published}/${total}, received ${l.received}); ` : '';
    const result: ContractResult = {
      system: 'node-relay', variant: 'floor', scenario: 'e2e',
      msgs: l.received, bytes: l.received * size, seconds: round(run.seconds),
      msgs_per_s: round(run.published / run.seconds, 1), mb_per_s: round((run.published / run.seconds) * size / 1e6),
      p50_ms: round(l.p50), p99_ms: round(l.p99), p999_ms: round(l.p999), max_ms: round(l.max),
      notes: `${incomplete}not a broker: a Node TCP relay (separate process) forwarding each read from the publisher to the consumer connection and answering one byte per read; no storage, no protocol; rate ${rate}/s with CONTRACT.md e2e pacing; the latency floor of a Node broker here` +
        settledP99Note(l) +
        `; cpu: client ${((c.user + c.system) / 1e6).toFixed(2)} s, relay ${relayCpu}`,
    };
    ctx.writeStdout(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (err: unknown) {
    ctx.writeStdout(`${JSON.stringify(contractErrorLine('node-relay', 'floor', 'e2e', err))}\n`);
    return 1;
  } finally {
    for (const s of sockets) s.destroy();
    relay.stdin.end();
    if (relay.exitCode === null && relay.signalCode === null) {
      const exited = once(relay, 'exit');
      const killer = setTimeout(() => relay.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    dropHook();
  }
};
