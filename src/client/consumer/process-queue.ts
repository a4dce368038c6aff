/**
 * Messages pulled from one queue and not yet consumed
 * (client/impl/consumer/ProcessQueue.java, 4.9.8): ordered by queue offset,
 * with counts and bytes for flow control, and the offset that is safe to
 * commit — the smallest offset still in flight, or one past the largest
 * taken when nothing is.
 */
export interface QueuedMessage {
  readonly queueOffset: number;
  readonly body: { readonly length: number };
}

export class ProcessQueue<M extends QueuedMessage = QueuedMessage> {
  /** offset → message, iterated in offset order (offsets only grow). */
  private readonly inFlight = new Map<number, M>();
  private maxSeenOffset = -1;
  private bytes = 0;
  /** Everything below this offset was consumed. */
  private committedUpTo = 0;
  /** Orderly consumption: the broker lock is held. */
  locked = false;
  lastLockTimestamp = 0;
  lastPullTimestamp = 0;
  /** Set when the queue is no longer ours (rebalance) or the consumer shuts down. */
  dropped = false;

  get msgCount(): number {
    return this.inFlight.size;
  }

  get msgSize(): number {
    return this.bytes;
  }

  /**
   * How far the pulled messages run ahead of the oldest one still in flight
   * (ProcessQueue.getMaxSpan, measured to the largest offset pulled); 0 when
   * nothing is in flight.
   */
  get maxSpan(): number {
    for (const first of this.inFlight.keys()) return this.maxSeenOffset - first;
    return 0;
  }

  /** Adds pulled messages; returns how many were new. */
  putMessages(msgs: readonly M[]): number {
    let added = 0;
    for (const m of msgs) {
      if (this.inFlight.has(m.queueOffset) || m.queueOffset <= this.committedUpTo - 1) continue;
      this.inFlight.set(m.queueOffset, m);
      this.bytes += m.body.length;
      if (m.queueOffset > this.maxSeenOffset) this.maxSeenOffset = m.queueOffset;
      added++;
    }
    return added;
  }

  /**
   * Removes consumed messages and returns the offset to commit
   * (ProcessQueue.removeMessage): the first message still in flight, or
   * max offset + 1 when none is; -1 when nothing was ever added.
   */
  removeMessages(msgs: readonly M[]): number {
    for (const m of msgs) {
      const had = this.inFlight.get(m.queueOffset);
      if (had === undefined) continue;
      this.inFlight.delete(m.queueOffset);
      this.bytes -= had.body.length;
    }
    return this.commitOffset();
  }

  /** The offset that is safe to commit now. */
  commitOffset(): number {
    if (this.maxSeenOffset < 0) return -1;
    let min = Infinity;
    for (const k of this.inFlight.keys()) {
      min = k;
      break; // Map keeps insertion order and offsets arrive in increasing order
    }
    const next = min === Infinity ? this.maxSeenOffset + 1 : min;
    this.committedUpTo = next;
    return next;
  }

  /** Orderly consumption: takes up to `n` of the lowest offsets still queued, in order. */
  takeMessages(n: number): M[] {
    const out: M[] = [];
    for (const m of this.inFlight.values()) {
      if (out.length >= n) break;
      out.push(m);
    }
    return out;
  }

  /** Forgets everything (after a rebalance moves the queue away, or an offset reset). */
  clear(): void {
    this.inFlight.clear();
    this.bytes = 0;
    this.maxSeenOffset = -1;
    this.committedUpTo = 0;
  }
}
