/** `orbit message get|query|send`; `message tail` lives in tail.ts. */
import { randomBytes } from 'node:crypto';
import {
  ConnectionError, InvalidArgumentError, NotFoundError, TimeoutError, decodeOffsetMessageId, formatHostAddress, getErrorMessage,
} from '../common/index.js';
import { Producer, userProperties, type MessageExt, type SendResult } from '../client/index.js';
import { ExitCode, UsageError, formatTime, intFlag, keyValues, mapLimit, ok, type CliContext, type CommandResult, type Style } from './output.js';

/** A message as `--json` prints it; the body is UTF-8 text when it decodes cleanly, else base64. */
export function messageJson(m: MessageExt): Record<string, unknown> {
  const text = m.body.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(m.body) && !text.includes('\u0000');
  return {
    msgId: m.msgId, offsetMsgId: m.offsetMsgId, topic: m.topic, brokerName: m.brokerName, queueId: m.queueId, queueOffset: m.queueOffset,
    commitLogOffset: m.commitLogOffset, tags: m.tags ?? null, keys: m.keys, properties: userProperties(m), reconsumeTimes: m.reconsumeTimes,
    bornTimestamp: m.bornTimestamp, storeTimestamp: m.storeTimestamp, bornHost: m.bornHost, storeHost: m.storeHost, storeSize: m.storeSize,
    body: isText ? text : m.body.toString('base64'), bodyEncoding: isText ? 'utf8' : 'base64',
  };
}

function messageText(style: Style, m: MessageExt): string {
  const j = messageJson(m);
  const props = Object.entries(userProperties(m)).map(([k, v]) => `${k}=${v}`).join(' ');
  return [
    keyValues(style, [
      ['msgId', m.msgId], ['offsetMsgId', m.offsetMsgId], ['topic', m.topic], ['queue', `${m.brokerName || '?'} #${m.queueId} @ ${m.queueOffset}`],
      ['tags', m.tags], ['keys', m.keys.join(' ') || undefined], ['properties', props || undefined],
      ['born', `${formatTime(m.bornTimestamp)} from ${m.bornHost}`], ['stored', `${formatTime(m.storeTimestamp)} on ${m.storeHost}`],
      ['reconsume times', m.reconsumeTimes], ['size', `${m.body.length} bytes body, ${m.storeSize} stored`],
    ]),
    style.dim(`body (${String(j.bodyEncoding)}):`),
    String(j.body),
  ].join('\n');
}

/** By client id (UNIQ_KEY) on the topic's brokers when -t is given, else (or then) by offset id. */
export async function messageGet(ctx: CliContext, f: { msgId: string; topic?: string }): Promise<CommandResult> {
  const id = f.msgId.trim();
  if (!/^[0-9A-Fa-f]{32}$|^[0-9A-Fa-f]{56}$/.test(id)) throw new UsageError(`"${id}" is not a message id (32 or 56 hex digits)`);
  if (f.topic !== undefined) {
    for (const b of await ctx.admin.topicMasters(f.topic)) {
      const [m] = await ctx.admin.queryMessage(b.addr, b.brokerName, f.topic, id, { uniqKey: true });
      if (m !== undefined) return ok({ message: messageJson(m) }, messageText(ctx.style, m));
    }
  }
  let addr: string;
  let offset: number;
  try {
    const d = decodeOffsetMessageId(id);
    addr = formatHostAddress(d.storeHost);
    offset = d.commitLogOffset;
  } catch (err: unknown) {
    if (err instanceof InvalidArgumentError) throw new NotFoundError(`message ${id} not found${f.topic === undefined ? ' (for a client id, pass -t TOPIC)' : ` on topic ${f.topic}`}`);
    throw err;
  }
  try {
    const m = await ctx.admin.viewMessage(addr, offset);
    return ok({ message: messageJson(m) }, messageText(ctx.style, m));
  } catch (err: unknown) {
    if (err instanceof ConnectionError || err instanceof TimeoutError || err instanceof NotFoundError) {
      const hint = f.topic === undefined ? '; for a client id (UNIQ_KEY) pass -t TOPIC' : '';
      throw new NotFoundError(`message ${id} not found (as an offset id it points at ${addr} offset ${offset}: ${getErrorMessage(err)})${hint}`);
    }
    throw err;
  }
}

export async function messageQuery(ctx: CliContext, f: { topic: string; key: string; max?: string; begin?: string; end?: string }): Promise<CommandResult> {
  const maxNum = intFlag('--max', f.max, 64, 1, 64);
  const begin = f.begin === undefined ? 0 : parseTime('--begin', f.begin);
  const end = f.end === undefined ? Number.MAX_SAFE_INTEGER : parseTime('--end', f.end);
  const found: MessageExt[] = [];
  for (const b of await ctx.admin.topicMasters(f.topic)) {
    found.push(...await ctx.admin.queryMessage(b.addr, b.brokerName, f.topic, f.key, { maxNum, begin, end }));
  }
  if (found.length === 0) throw new NotFoundError(`no message with key ${f.key} on topic ${f.topic}`);
  found.sort((a, b) => a.storeTimestamp - b.storeTimestamp);
  return ok({ topic: f.topic, key: f.key, messages: found.map(messageJson) }, found.map((m) => messageText(ctx.style, m)).join('\n\n'));
}

/** `now`/`latest` → -1 (the max offsets); `earliest` → 0; digits → epoch ms; else an ISO-8601 date. */
export function parseTime(flag: string, v: string): number {
  const s = v.trim().toLowerCase();
  if (s === 'now' || s === 'latest') return -1;
  if (s === 'earliest') return 0;
  if (/^\d+$/.test(s)) return Number(s);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`${flag} must be epoch milliseconds, an ISO-8601 date, now or earliest; got "${v}"`);
  return t;
}

export interface SendFlags {
  readonly topic: string;
  readonly body?: string;
  readonly tags?: string;
  readonly keys?: string;
  readonly count?: string;
  readonly size?: string;
  readonly concurrency?: string;
}

export async function messageSend(ctx: CliContext, f: SendFlags): Promise<CommandResult> {
  const count = intFlag('--count', f.count, 1, 1, 100_000_000);
  const size = intFlag('--size', f.size, 0, 0, 4 * 1024 * 1024);
  const concurrency = intFlag('--concurrency', f.concurrency, 16, 1, 1024);
  if (f.body === undefined && size === 0) throw new UsageError('give --body TEXT or --size BYTES');
  const body = f.body !== undefined ? Buffer.from(f.body, 'utf8') : Buffer.from(randomBytes(Math.ceil(size / 2)).toString('hex').slice(0, size), 'utf8');
  await ctx.admin.topicRoute(f.topic);
  const producer = new Producer({ namesrvAddr: ctx.namesrvAddr, group: 'orbit-cli-producer', requestTimeoutMs: ctx.timeoutMs, sendTimeoutMs: Math.max(ctx.timeoutMs, 3_000) });
  await producer.start();
  const keep = count <= 1000;
  const results: SendResult[] = [];
  const errors = new Map<string, number>();
  let sent = 0;
  const started = Date.now();
  const bar = count > 1 ? ctx.progress(`sending to ${f.topic}`, count) : undefined;
  try {
    await mapLimit(Array.from({ length: Math.min(count, concurrency) }, (_, w) => w), concurrency, async (w) => {
      for (let i = w; i < count && !ctx.signal.aborted; i += concurrency) {
        const keys = f.keys === undefined ? undefined : f.keys.split(',').map((k) => k.replace('{i}', String(i)));
        try {
          const r = await producer.send({ topic: f.topic, body, ...(f.tags === undefined ? {} : { tags: f.tags }), ...(keys === undefined ? {} : { keys }) });
          sent++;
          if (keep) results[i] = r;
        } catch (err: unknown) {
          const msg = getErrorMessage(err);
          errors.set(msg, (errors.get(msg) ?? 0) + 1);
        }
        bar?.tick();
      }
    });
  } finally {
    bar?.done();
    await producer.shutdown();
  }
  const elapsedMs = Math.max(1, Date.now() - started);
  const failed = [...errors.values()].reduce((a, b) => a + b, 0);
  const rate = (sent * 1000) / elapsedMs;
  const list = results.filter((r) => r !== undefined).map((r) => ({ msgId: r.msgId, offsetMsgId: r.offsetMsgId, brokerName: r.messageQueue.brokerName, queueId: r.messageQueue.queueId, queueOffset: r.queueOffset, status: r.status }));
  const json = { topic: f.topic, requested: count, sent, failed, elapsedMs, messagesPerSecond: Number(rate.toFixed(1)), bytesPerMessage: body.length, errors: Object.fromEntries(errors), ...(keep ? { results: list } : {}) };
  const first = list[0];
  const human = count === 1 && first !== undefined
    ? keyValues(ctx.style, [['status', first.status], ['msgId', first.msgId], ['offsetMsgId', first.offsetMsgId], ['queue', `${first.brokerName} #${first.queueId} @ ${first.queueOffset}`]])
    : [
      keyValues(ctx.style, [['sent', `${sent} of ${count}`], ['failed', failed], ['elapsed', `${(elapsedMs / 1000).toFixed(2)} s`], ['throughput', `${rate.toFixed(1)} msg/s, ${((rate * body.length) / 1048576).toFixed(2)} MiB/s`]]),
      ...[...errors].map(([m, n]) => ctx.style.red(`${n} × ${m}`)),
    ].join('\n');
  return { code: failed > 0 || sent < count ? ExitCode.FAILURE : ExitCode.OK, json, human };
}
