/**
 * `orbit message tail`: prints a topic's messages as they arrive. It pulls
 * every readable queue directly (MQClientAPI.pullMessage with long polling,
 * the tag expression sent with each pull) from the max offsets, or the min
 * offsets with --from-beginning, rather than through the LitePullConsumer: a
 * diagnostic tail reads no committed offsets, commits none and joins no
 * group, so it cannot disturb the consumers of the group it names. Stops
 * after --count messages, --timeout seconds or Ctrl-C; failed pulls are
 * listed under `problems`.
 */
import { getErrorMessage } from '../common/index.js';
import { isAbortError, toSubscribeQueues, type MessageExt, type MessageQueue } from '../client/index.js';
import { messageJson } from './message.js';
import { ExitCode, intFlag, type CliContext, type CommandResult } from './output.js';

export interface TailFlags {
  readonly topic: string;
  readonly group?: string;
  readonly tags?: string;
  readonly fromBeginning?: boolean;
  readonly count?: string;
  readonly timeout?: string;
}

/** PullSysFlag FLAG_SUSPEND | FLAG_SUBSCRIPTION. */
const PULL_FLAGS = 0x2 | 0x4;

export async function messageTail(ctx: CliContext, f: TailFlags, print: (line: string) => void): Promise<CommandResult> {
  const limit = intFlag('--count', f.count, 0, 0);
  const timeoutS = intFlag('--timeout', f.timeout, 0, 0, 86_400 * 365);
  const group = f.group ?? 'orbit-cli-tail';
  const route = await ctx.admin.topicRoute(f.topic);
  const api = ctx.admin.instance.api;
  const masterOf = new Map(route.brokerDatas.map((b) => [b.brokerName, b.brokerAddrs.get(0)]));
  const queues = toSubscribeQueues(f.topic, route).filter((q) => masterOf.get(q.brokerName) !== undefined);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  ctx.signal.addEventListener('abort', onAbort);
  const timer = timeoutS > 0 ? setTimeout(onAbort, timeoutS * 1000) : undefined;
  const got: MessageExt[] = [];
  const problems: string[] = [];
  const take = (m: MessageExt): void => {
    if (limit > 0 && got.length >= limit) return;
    got.push(m);
    const body = m.body.toString('utf8').replace(/\s+/g, ' ');
    print(`${ctx.style.dim(new Date(m.storeTimestamp).toISOString())} ${m.brokerName}#${m.queueId}@${m.queueOffset} ${m.msgId} ${ctx.style.bold(m.tags ?? '-')} ${m.keys.join(',') || '-'} ${body.length > 200 ? `${body.slice(0, 200)}…` : body}`);
    if (limit > 0 && got.length >= limit) stop.abort();
  };
  const pullQueue = async (q: MessageQueue, addr: string): Promise<void> => {
    let offset = f.fromBeginning === true ? await api.getMinOffset(addr, f.topic, q.queueId) : await api.getMaxOffset(addr, f.topic, q.queueId);
    while (!stop.signal.aborted) {
      try {
        const r = await api.pullMessage(addr, q.brokerName, {
          consumerGroup: group, topic: f.topic, queueId: q.queueId, queueOffset: offset, maxMsgNums: 32, sysFlag: PULL_FLAGS,
          commitOffset: 0, suspendTimeoutMillis: 1_000, subscription: f.tags ?? '*', subVersion: 0, expressionType: 'TAG',
        }, { signal: stop.signal, timeoutMs: 1_000 + ctx.timeoutMs });
        if (r.status === 'FOUND') for (const m of r.messages) take(m);
        offset = r.nextBeginOffset;
      } catch (err: unknown) {
        if (stop.signal.aborted || isAbortError(err)) return;
        problems.push(`${q.brokerName}#${q.queueId}: ${getErrorMessage(err)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  ctx.note(`tailing ${queues.length} queue(s) of ${f.topic}${f.fromBeginning === true ? ' from the beginning' : ''}${limit > 0 ? `, up to ${limit} message(s)` : ''}${timeoutS > 0 ? `, for ${timeoutS} s` : ''}; Ctrl-C stops`);
  try {
    await Promise.all(queues.map((q) => pullQueue(q, masterOf.get(q.brokerName) ?? '')));
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
  const short = limit > 0 && got.length < limit;
  ctx.note(`${got.length} message(s)${short ? ` of ${limit} before the timeout` : ''}`);
  const json = { topic: f.topic, count: got.length, messages: got.map(messageJson), ...(problems.length > 0 ? { problems: [...new Set(problems)] } : {}) };
  return { code: short ? ExitCode.FAILURE : ExitCode.OK, json, human: '' };
}
