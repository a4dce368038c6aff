/**
 * The classic way to prove nothing is lost: each producer stamps its messages
 * with its id and a sequence number (property `ORBIT_SEQ` = `producerId:seq`),
 * and consumers record what they see. The report names, per producer, every
 * missing sequence number (gaps) and every number seen more than once
 * (duplicates, allowed by at-least-once delivery), and per producer and queue
 * how often sequence numbers went backwards.
 */
import { randomBytes } from 'node:crypto';

export const LOSS_DETECTOR_PROPERTY = 'ORBIT_SEQ';

/** Producer side: stamps properties with `producerId:seq`. */
export class SequenceStamper {
  readonly producerId: string;
  private next = 0;

  constructor(producerId: string = randomBytes(6).toString('hex')) {
    if (producerId.includes(':')) throw new RangeError('producerId must not contain ":"');
    this.producerId = producerId;
  }

  /** Returns the properties with the next stamp added. */
  stamp(properties: Record<string, string> = {}): Record<string, string> {
    return { ...properties, [LOSS_DETECTOR_PROPERTY]: `${this.producerId}:${this.next++}` };
  }

  get sent(): number {
    return this.next;
  }
}

export interface ProducerLossReport {
  readonly producerId: string;
  /** Distinct sequence numbers seen. */
  readonly received: number;
  /** Highest sequence number seen. */
  readonly maxSeq: number;
  /** Missing sequence numbers below the expected count (or the max seen), as [from, to] inclusive ranges. */
  readonly gaps: readonly (readonly [number, number])[];
  readonly missing: number;
  readonly duplicates: number;
  /** Per queue (`brokerName/queueId`): how often a sequence number arrived lower than the one before it. */
  readonly reordered: Readonly<Record<string, number>>;
}

interface ProducerState {
  readonly seen: Set<number>;
  duplicates: number;
  maxSeq: number;
  readonly lastPerQueue: Map<string, number>;
  readonly reordered: Map<string, number>;
}

/** Consumer side: feed every delivered message's properties and queue. */
export class LossDetector {
  private readonly producers = new Map<string, ProducerState>();
  private unstamped = 0;

  observe(properties: Readonly<Record<string, string>>, queue: { readonly brokerName: string; readonly queueId: number }): void {
    const stamp = properties[LOSS_DETECTOR_PROPERTY];
    const at = stamp?.lastIndexOf(':') ?? -1;
    const seq = stamp === undefined ? Number.NaN : Number(stamp.slice(at + 1));
    if (stamp === undefined || at <= 0 || !Number.isSafeInteger(seq) || seq < 0) {
      this.unstamped++;
      return;
    }
    const producerId = stamp.slice(0, at);
    let st = this.producers.get(producerId);
    if (st === undefined) {
      st = { seen: new Set(), duplicates: 0, maxSeq: -1, lastPerQueue: new Map(), reordered: new Map() };
      this.producers.set(producerId, st);
    }
    if (st.seen.has(seq)) st.duplicates++;
    else st.seen.add(seq);
    if (seq > st.maxSeq) st.maxSeq = seq;
    const qk = `${queue.brokerName}/${queue.queueId}`;
    const last = st.lastPerQueue.get(qk);
    if (last !== undefined && seq < last) st.reordered.set(qk, (st.reordered.get(qk) ?? 0) + 1);
    st.lastPerQueue.set(qk, seq);
  }

  /** Messages that carried no stamp. */
  get unstampedCount(): number {
    return this.unstamped;
  }

  /**
   * The report; `expected` maps producer ids to how many messages each sent
   * (its SequenceStamper.sent), so trailing losses count too.
   */
  report(expected: Readonly<Record<string, number>> = {}): ProducerLossReport[] {
    const ids = new Set([...this.producers.keys(), ...Object.keys(expected)]);
    return [...ids].sort().map((producerId) => {
      const st = this.producers.get(producerId);
      const upTo = expected[producerId] ?? (st ? st.maxSeq + 1 : 0);
      const gaps: [number, number][] = [];
      let missing = 0;
      for (let s = 0; s < upTo; s++) {
        if (st?.seen.has(s)) continue;
        missing++;
        const lastGap = gaps[gaps.length - 1];
        if (lastGap !== undefined && lastGap[1] === s - 1) lastGap[1] = s;
        else gaps.push([s, s]);
      }
      return {
        producerId,
        received: st?.seen.size ?? 0,
        maxSeq: st?.maxSeq ?? -1,
        gaps,
        missing,
        duplicates: st?.duplicates ?? 0,
        reordered: Object.fromEntries(st?.reordered ?? []),
      };
    });
  }

  /** True when no producer has a gap. */
  isComplete(expected: Readonly<Record<string, number>> = {}): boolean {
    return this.report(expected).every((r) => r.missing === 0);
  }
}
