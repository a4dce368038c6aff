/**
 * Delay levels (MessageStoreConfig.messageDelayLevel and
 * ScheduleMessageService.parseDelayLevel, 4.9.8): "1s 5s 10s 30s 1m ... 2h",
 * units s, m, h, d; level n (1-based) waits the n-th duration. Messages
 * parked in SCHEDULE_TOPIC_XXXX carry their delivery time as the
 * consume-queue tagsCode.
 */
import { InvalidArgumentError } from '../common/index.js';

export const SCHEDULE_TOPIC = 'SCHEDULE_TOPIC_XXXX';
/** Where messages with an arbitrary delivery time wait (RocketMQ 5.x TimerMessageStore's topic). */
export const TIMER_TOPIC = 'rmq_sys_wheel_timer';
export const DEFAULT_MESSAGE_DELAY_LEVEL = '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds per level; index 0 is level 1. */
export function parseDelayLevels(text: string): number[] {
  const levels = text.trim().split(/\s+/).map((item) => {
    const m = /^(\d+)([smhd])$/.exec(item);
    const unit = m?.[2] === undefined ? undefined : UNIT_MS[m[2]];
    if (m?.[1] === undefined || unit === undefined) throw new InvalidArgumentError(`messageDelayLevel: "${item}" is not a duration like 5s, 1m, 2h or 1d`);
    return Number(m[1]) * unit;
  });
  if (levels.length === 0 || levels.length > 100) throw new InvalidArgumentError('messageDelayLevel must list 1 to 100 durations');
  return levels;
}

/** Delivery time of a level-`level` message stored at `storeTimestamp` (levels above the max are capped). */
export function deliverTimestamp(levels: readonly number[], level: number, storeTimestamp: number): number {
  const capped = Math.min(Math.max(level, 1), levels.length);
  return storeTimestamp + (levels[capped - 1] ?? 1000);
}
