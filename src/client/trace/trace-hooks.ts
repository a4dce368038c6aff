/**
 * The send and consume hooks that write trace records (Java
 * SendMessageTraceHookImpl, ConsumeMessageTraceHookImpl, 4.9.8):
 * - Pub after every send attempt that got a result (not oneway, not failed),
 *   unless the broker answered TRACE_ON=false; never for the trace topic;
 * - SubBefore per listener call for its messages (skipping TRACE_ON=false
 *   messages), SubAfter with the same requestId, cost per message, success
 *   and the ConsumeReturnType ordinal.
 */
import type { Clock } from '../../common/index.js';
import type { ConsumeHookContext, ConsumeHooks, ConsumeOutcome } from '../consumer/push-consumer-options.js';
import type { Message } from '../message.js';
import type { SendContext, SendHooks, SendOutcome } from '../send-hooks.js';
import type { UniqIdGenerator } from '../uniq-id.js';
import { CONSUME_RETURN_TYPES, type PubTraceRecord, type SubBeforeTraceRecord, type TraceMessageType } from './trace-data.js';
import type { TraceDispatcher } from './trace-dispatcher.js';

function keysText(m: Message): string | undefined {
  const keys = typeof m.keys === 'string' ? [m.keys] : [...(m.keys ?? [])];
  const list = keys.filter((k) => k.length > 0);
  return list.length === 0 ? undefined : list.join(' ');
}

function bodyLength(m: Message): number {
  return typeof m.body === 'string' ? Buffer.byteLength(m.body, 'utf8') : m.body.byteLength;
}

function messageType(m: Message): TraceMessageType {
  return (m.delayLevel ?? 0) > 0 || m.deliverAt !== undefined || m.delayMs !== undefined ? 'Delay_Msg' : 'Normal_Msg';
}

/** Hooks for a producer: one Pub record per message sent (a batch gives one per message). */
export function sendTraceHooks(dispatcher: TraceDispatcher, clock: Clock): SendHooks {
  const started = new WeakMap<SendContext, number>();
  return {
    beforeSend(ctx: SendContext): void {
      if (ctx.messageQueue.topic.startsWith(dispatcher.traceTopic)) return;
      started.set(ctx, clock.now());
    },
    afterSend(ctx: SendContext, outcome: SendOutcome): void {
      const t0 = started.get(ctx);
      started.delete(ctx);
      if (t0 === undefined || !outcome.ok || outcome.result === undefined || !outcome.result.traceOn) return;
      const r = outcome.result;
      const msgs = Array.isArray(ctx.message) ? (ctx.message as readonly Message[]) : [ctx.message as Message];
      const ids = r.msgId.split(',');
      const offsetIds = r.offsetMsgId.split(',');
      const cost = Math.floor((clock.now() - t0) / msgs.length);
      const records: PubTraceRecord[] = msgs.map((m, i) => ({
        type: 'Pub',
        timestamp: t0,
        regionId: r.regionId ?? '',
        groupName: ctx.producerGroup,
        topic: r.messageQueue.topic,
        msgId: ids[i] ?? r.msgId,
        tags: m.tags === undefined || m.tags.length === 0 ? undefined : m.tags,
        keys: keysText(m),
        storeHost: ctx.brokerAddr,
        bodyLength: bodyLength(m),
        costTime: cost,
        msgType: messageType(m),
        offsetMsgId: offsetIds[i] ?? '',
        success: r.status === 'SEND_OK',
      }));
      dispatcher.append(records);
    },
  };
}

interface Before {
  readonly requestId: string;
  readonly timestamp: number;
  readonly regionId: string;
  readonly beans: readonly SubBeforeTraceRecord[];
}

/** Hooks for a push consumer: SubBefore / SubAfter around every listener call. */
export function consumeTraceHooks(dispatcher: TraceDispatcher, clock: Clock, ids: UniqIdGenerator): ConsumeHooks {
  const calls = new WeakMap<ConsumeHookContext, Before>();
  return {
    beforeConsume(ctx: ConsumeHookContext): void {
      const timestamp = clock.now();
      const requestId = ids.next();
      let regionId = '';
      const beans: SubBeforeTraceRecord[] = [];
      for (const m of ctx.messages) {
        if (m.properties.TRACE_ON === 'false') continue;
        regionId = m.properties.MSG_REGION ?? regionId;
        beans.push({
          type: 'SubBefore', timestamp, regionId, groupName: ctx.group, requestId, msgId: m.msgId, retryTimes: m.reconsumeTimes,
          keys: m.keys.length === 0 ? undefined : m.keys.join(' '),
        });
      }
      if (beans.length === 0) return;
      calls.set(ctx, { requestId, timestamp, regionId, beans });
      dispatcher.append(beans);
    },
    afterConsume(ctx: ConsumeHookContext, outcome: ConsumeOutcome): void {
      const before = calls.get(ctx);
      calls.delete(ctx);
      if (before === undefined) return;
      const success = outcome.status === 'SUCCESS';
      const returnType = outcome.error !== undefined ? 'EXCEPTION' : success ? 'SUCCESS' : 'FAILED';
      const now = clock.now();
      const costTime = Math.floor((now - before.timestamp) / Math.max(1, ctx.messages.length));
      dispatcher.append(before.beans.map((b) => ({
        type: 'SubAfter' as const, requestId: before.requestId, msgId: b.msgId, costTime, success, keys: b.keys,
        contextCode: CONSUME_RETURN_TYPES.indexOf(returnType), timestamp: now, groupName: ctx.group,
      })));
    },
  };
}
