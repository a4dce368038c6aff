/**
 * Latency-based broker avoidance (Java MQFaultStrategy +
 * LatencyFaultToleranceImpl): after each send the broker's latency maps to a
 * period during which it is avoided; a failed connection or timeout counts as
 * 30 s of latency, which means 10 minutes of avoidance.
 */
import { systemClock, type Clock } from '../common/index.js';

/** Java MQFaultStrategy.latencyMax / notAvailableDuration. */
export const LATENCY_MAX_MS = [50, 100, 550, 1000, 2000, 3000, 15000] as const;
export const NOT_AVAILABLE_DURATION_MS = [0, 0, 30000, 60000, 120000, 180000, 600000] as const;
/** Latency recorded for an isolated (unreachable) broker. */
export const ISOLATION_LATENCY_MS = 30_000;

interface FaultItem {
  readonly name: string;
  currentLatency: number;
  /** Available again from this time. */
  startTimestamp: number;
}

export class LatencyFaultTolerance {
  private readonly items = new Map<string, FaultItem>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** Records a send to `brokerName` that took `latencyMs`; `isolation` for connection failures and timeouts. */
  update(brokerName: string, latencyMs: number, isolation: boolean): void {
    const latency = isolation ? ISOLATION_LATENCY_MS : latencyMs;
    const duration = notAvailableDuration(latency);
    const item = this.items.get(brokerName);
    const start = this.clock.now() + duration;
    if (item === undefined) this.items.set(brokerName, { name: brokerName, currentLatency: latency, startTimestamp: start });
    else {
      item.currentLatency = latency;
      item.startTimestamp = start;
    }
  }

  isAvailable(brokerName: string): boolean {
    const item = this.items.get(brokerName);
    return item === undefined || this.clock.now() >= item.startTimestamp;
  }

  remove(brokerName: string): void {
    this.items.delete(brokerName);
  }

  /** The least bad broker among those recorded (available first, then lower latency, then sooner available). */
  pickOneAtLeast(): string | undefined {
    const now = this.clock.now();
    const sorted = [...this.items.values()].sort((a, b) => {
      const aa = now >= a.startTimestamp ? 0 : 1;
      const ba = now >= b.startTimestamp ? 0 : 1;
      if (aa !== ba) return aa - ba;
      if (a.currentLatency !== b.currentLatency) return a.currentLatency - b.currentLatency;
      return a.startTimestamp - b.startTimestamp;
    });
    return sorted[0]?.name;
  }
}

/** Java MQFaultStrategy.computeNotAvailableDuration. */
export function notAvailableDuration(latencyMs: number): number {
  for (let i = LATENCY_MAX_MS.length - 1; i >= 0; i--) {
    const max = LATENCY_MAX_MS[i];
    const d = NOT_AVAILABLE_DURATION_MS[i];
    if (max !== undefined && d !== undefined && latencyMs >= max) return d;
  }
  return 0;
}
