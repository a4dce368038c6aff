/** common/DataVersion.java: a timestamp and a counter bumped on every change. */
import type { Clock } from '../common/index.js';
import { isRecord, num } from './json-narrow.js';

export interface DataVersionJson {
  timestamp: number;
  counter: number;
}

export class DataVersion {
  timestamp: number;
  counter = 0;
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
    this.timestamp = clock.now();
  }

  next(): void {
    this.timestamp = this.clock.now();
    this.counter++;
  }

  assign(json: unknown): void {
    if (!isRecord(json)) return;
    this.timestamp = num(json, 'timestamp', this.timestamp);
    this.counter = num(json, 'counter', 0);
  }

  toJSON(): DataVersionJson {
    return { counter: this.counter, timestamp: this.timestamp };
  }
}
