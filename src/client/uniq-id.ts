/**
 * Client-side unique message ids, the `UNIQ_KEY` property (message-format.md
 * §2, Java MessageClientIDSetter): client IP (4 or 16 bytes) + pid (int16) +
 * a per-generator random int32 (Java: class-loader hash) + ms since the start
 * of the current month in local time (int32) + a wrapping counter (int16),
 * as uppercase hex — 32 chars for IPv4.
 */
import { randomInt } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { makeHostAddress, systemClock, type Clock } from '../common/index.js';

/** Uppercase two-digit hex of each byte value. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

export class UniqIdGenerator {
  private readonly prefix: string;
  private counter: number;
  private monthStart = 0;
  private nextMonthStart = 0;
  /** prefix + the time part of the last `now` (ids of one ms share it). */
  private head = '';
  private lastNow = Number.NaN;

  constructor(clientIP: string, private readonly clock: Clock = systemClock, pid = process.pid) {
    const ipBytes = ipOrTimeBytes(clientIP, clock);
    const head = Buffer.alloc(ipBytes.length + 6);
    head.set(ipBytes, 0);
    head.writeInt16BE((pid << 16) >> 16, ipBytes.length);
    head.writeInt32BE(randomInt(-0x80000000, 0x7fffffff), ipBytes.length + 2);
    this.prefix = head.toString('hex').toUpperCase();
    this.counter = randomInt(0, 0x10000);
  }

  /** A fresh id; `now` when the caller has just read the clock. */
  next(now = this.clock.now()): string {
    if (now !== this.lastNow) {
      if (now >= this.nextMonthStart || now < this.monthStart) this.setMonth(now);
      // The int32 of ms since the month start, as writeInt32BE would put it (two's complement past 2^31 ms).
      const t = ((now - this.monthStart) | 0) >>> 0;
      this.head = this.prefix + HEX[t >>> 24] + HEX[(t >>> 16) & 0xff] + HEX[(t >>> 8) & 0xff] + HEX[t & 0xff];
      this.lastNow = now;
    }
    const c = (this.counter = (this.counter + 1) & 0xffff);
    return this.head + HEX[c >>> 8] + HEX[c & 0xff];
  }

  private setMonth(now: number): void {
    const d = new Date(now);
    this.monthStart = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
    this.nextMonthStart = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
  }
}

function ipOrTimeBytes(ip: string, clock: Clock): Uint8Array {
  if (isIPv4(ip) || isIPv6(ip)) return makeHostAddress(ip, 0).address;
  // Java: without a usable IP, 4 bytes of the current time.
  const b = Buffer.alloc(4);
  b.writeInt32BE(clock.now() | 0, 0);
  return b;
}
